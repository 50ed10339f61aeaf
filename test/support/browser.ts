import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { waitFor } from './wait.js';

/** Debian's Chromium; playwright-core never downloads a browser of its own. */
const CHROMIUM = process.env.PUMPWATCH_CHROMIUM ?? '/usr/bin/chromium';

/** Where screenshots of browser tests are saved (kept as CI artifacts). */
export const ARTIFACTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../artifacts/screenshots');

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Flags this sandboxed, offline machine needs (see README): no sandbox as root, no GPU, and no
    // background connections that the closed network would refuse. Playwright itself gives every
    // launch a fresh temporary profile (--user-data-dir).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export function screenshotPath(name: string): string {
  return join(ARTIFACTS_DIR, `${name}.png`);
}

/**
 * Resolves once the dashboard shows live data: no connection banner in the DOM. It polls over the
 * DevTools protocol without a user gesture, because Playwright's own queries (locators, evaluate,
 * waitForFunction) give the page user activation: one that lands before the console starts would let it
 * unlock audio by itself, and a test of the "sound is off until a click" state would race.
 */
export async function waitForLive(page: Page, timeout = 15_000): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const expression = `document.querySelector('#live-indicator[data-live="true"]') !== null &&
    document.querySelector('[data-testid="connection-banner"]') === null`;
  try {
    await waitFor(
      async () =>
        (await cdp.send('Runtime.evaluate', { expression, returnByValue: true })).result.value === true,
      { timeoutMs: timeout, intervalMs: 100, what: 'the dashboard to show live data' },
    );
  } finally {
    await cdp.detach();
  }
}

/** The inbox row of a pump's alert (by rule label text, e.g. "Downstream occlusion"). */
export function alertRow(page: Page, pumpId: string, ruleLabel?: string): Locator {
  const row = page.locator('[data-testid="alert-row"]', { hasText: pumpId });
  return ruleLabel ? row.filter({ hasText: ruleLabel }) : row;
}

/**
 * Makes a page believe its tab is hidden (headless Chromium has no background tabs) and records every
 * browser notification it creates in `window.__notifications`: each is made by the real `Notification`
 * and recorded only once the browser accepted it. Used with `context.grantPermissions(['notifications'])`.
 */
export async function emulateHiddenTab(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    Object.defineProperty(document, 'visibilityState', { get: () => 'hidden', configurable: true });
    Object.defineProperty(document, 'hidden', { get: () => true, configurable: true });
    const Real = window.Notification;
    const shown: Array<{ title: string; body?: string; tag?: string }> = [];
    (window as unknown as { __notifications: typeof shown }).__notifications = shown;
    const Recording = function (this: unknown, title: string, options?: NotificationOptions) {
      const real = new Real(title, options);
      shown.push({
        title,
        ...(options?.body ? { body: options.body } : {}),
        ...(options?.tag ? { tag: options.tag } : {}),
      });
      return real;
    } as unknown as typeof Notification;
    Object.defineProperty(Recording, 'permission', { get: () => Real.permission });
    Recording.requestPermission = Real.requestPermission.bind(Real);
    window.Notification = Recording;
  });
}

/** Notifications recorded by `emulateHiddenTab`. */
export async function recordedNotifications(
  page: Page,
): Promise<Array<{ title: string; body?: string; tag?: string }>> {
  return page.evaluate(
    () => (window as unknown as { __notifications?: Array<{ title: string }> }).__notifications ?? [],
  );
}
