import type { Priority } from '@pumpwatch/protocol';

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * One shape per priority, so priority never rests on colour alone (IEC 60601-1-8;
 * docs/clinical-reference.md#alarm-priorities):
 * high a triangle with "!", medium a diamond, low a circle with "i". Decorative: the text beside it
 * carries the meaning for assistive technology.
 */
const SHAPES: Record<Priority, string> = {
  high: '<path d="M8 1 15.5 14.5H.5Z" fill="currentColor"/><path d="M7.1 5.5h1.8l-.3 5H7.4Zm.9 6.2a1 1 0 1 1 0 2 1 1 0 0 1 0-2Z" fill="var(--icon-ink)"/>',
  medium:
    '<path d="M8 .8 15.2 8 8 15.2.8 8Z" fill="currentColor"/><path d="M7.1 4h1.8l-.3 5H7.4Zm.9 6a1 1 0 1 1 0 2 1 1 0 0 1 0-2Z" fill="var(--icon-ink)"/>',
  low: '<circle cx="8" cy="8" r="7" fill="currentColor"/><path d="M7.1 6.8h1.8V12H7.1Zm.9-3.1a1 1 0 1 1 0 2 1 1 0 0 1 0-2Z" fill="var(--icon-ink)"/>',
};

export function priorityIcon(priority: Priority): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('icon', `icon-${priority}`);
  svg.innerHTML = SHAPES[priority];
  return svg;
}

/** Disconnected / offline: a slashed circle, again always next to text. */
export function offlineIcon(): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('icon');
  svg.innerHTML =
    '<circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="2"/><path d="M3.8 12.2 12.2 3.8" stroke="currentColor" stroke-width="2"/>';
  return svg;
}
