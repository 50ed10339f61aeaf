import { formatClock } from '../format.js';
import { h, setAttr, setText } from './dom.js';
import { offlineIcon } from './icons.js';
import type { View } from './view.js';

export interface StatusModel {
  live: boolean;
  /** Browser time of the last valid frame on any socket, null if none ever arrived. */
  lastDataAt: number | null;
  invalidFrames: number;
  summaryText: string;
  unacknowledged: number;
}

/**
 * Connection banner, live indicator, summary line and tab title. A console that is not receiving data
 * must never look calm, so the banner is in the page from the first byte of HTML and is only taken out
 * while the data is live; putting it back re-announces it (role="alert").
 */
export function createStatusView(els: {
  banner: HTMLElement;
  bannerDetail: HTMLElement;
  live: HTMLElement;
  frameNote: HTMLElement;
  summary: HTMLElement;
}): View<StatusModel> {
  const anchor = document.createComment('connection-banner');
  els.banner.before(anchor);
  let lastLive: boolean | null = null;

  return {
    element: els.banner,
    destroy() {
      // Back as the page had it before any data: a banner in place, not live.
      if (!els.banner.isConnected) anchor.after(els.banner);
      anchor.remove();
      document.body.classList.add('not-live');
    },
    update(model) {
      const detail =
        model.lastDataAt === null
          ? 'Connecting to the pumpwatch server. Alerts cannot be shown until it answers.'
          : `Last data received at ${formatClock(model.lastDataAt)}. Alerts raised since then are not shown.`;
      setText(els.bannerDetail, detail);
      if (model.live && els.banner.isConnected) els.banner.remove();
      if (!model.live && !els.banner.isConnected) anchor.after(els.banner);

      if (lastLive !== model.live) {
        lastLive = model.live;
        els.live.replaceChildren(
          model.live ? h('span', { class: 'dot', 'aria-hidden': 'true' }) : offlineIcon(),
          h('span', { class: 'live-text' }, model.live ? 'Live' : 'Not live'),
        );
        setAttr(els.live, 'data-live', String(model.live));
        document.body.classList.toggle('not-live', !model.live);
      }
      setText(
        els.frameNote,
        model.invalidFrames > 0
          ? `${model.invalidFrames} invalid frame${model.invalidFrames === 1 ? '' : 's'} ignored`
          : '',
      );
      els.frameNote.hidden = model.invalidFrames === 0;
      setText(els.summary, model.summaryText);
      const title = `${model.unacknowledged > 0 ? `(${model.unacknowledged}) ` : ''}pumpwatch${model.live ? '' : ' — NOT LIVE'}`;
      if (document.title !== title) document.title = title;
    },
  };
}
