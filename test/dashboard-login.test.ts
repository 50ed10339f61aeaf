import type { PumpwatchServer } from '@pumpwatch/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath } from './support/browser.js';
import { freePort } from './support/ports.js';
import {
  AUTH_REQUIRED,
  createUser,
  getJson,
  login,
  postJson,
  startTestServer,
  TEST_ADMIN,
  type TestUser,
  tempDataDir,
} from './support/server-harness.js';

/**
 * The login page and the end of a session in Debian's Chromium against the real server with
 * authentication required: wrong password, keyboard only, phone width, and every way a session ends
 * (revoked token on an API call, a WebSocket upgrade refused after a restart, the token's expiry) lands
 * on the login page saying so, never on a console that looks fine but no longer updates.
 */

const NURSE: TestUser = { username: 'ines', password: 'ines-password-1', role: 'nurse' };

async function fillLogin(page: Page, user: Pick<TestUser, 'username' | 'password'>): Promise<void> {
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

async function storedToken(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const raw = sessionStorage.getItem('pumpwatch.session');
    return raw ? (JSON.parse(raw) as { token: string }).token : null;
  });
}

/**
 * Init script: counts the DOM listeners in place (added, not yet removed or aborted through their
 * signal), as `window.__listeners()`. Runs in the page before any of its scripts.
 */
function countListeners(): void {
  type Entry = { target: EventTarget; type: string; listener: unknown; capture: boolean };
  const live = new Set<Entry>();
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  const find = (target: EventTarget, type: string, listener: unknown, capture: boolean) =>
    [...live].find(
      (e) => e.target === target && e.type === type && e.listener === listener && e.capture === capture,
    );
  const captureOf = (options: unknown) =>
    typeof options === 'boolean'
      ? options
      : Boolean((options as AddEventListenerOptions | undefined)?.capture);
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    const capture = captureOf(options);
    const signal = typeof options === 'object' ? options.signal : undefined;
    if (!signal?.aborted && !find(this, type, listener, capture)) {
      const entry = { target: this, type, listener, capture };
      live.add(entry);
      if (signal) add.call(signal, 'abort', () => live.delete(entry));
    }
    return add.call(this, type, listener, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    const entry = find(this, type, listener, captureOf(options));
    if (entry) live.delete(entry);
    return remove.call(this, type, listener, options);
  };
  Object.assign(window, { __listeners: () => live.size });
}

const consoleShown = (page: Page) => page.locator('body[data-view="console"]').waitFor({ timeout: 10_000 });
const loginShown = (page: Page, timeout = 10_000) =>
  page.locator('body[data-view="login"]').waitFor({ timeout });

describe('login page in a real browser', () => {
  let server: PumpwatchServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer({ auth: AUTH_REQUIRED });
    const admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    await createUser(server.httpUrl, admin, NURSE);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('refuses a wrong password with a visible message, and logs in with the keyboard alone', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.httpUrl}/`);
    await loginShown(page);
    // Nothing of the console shows before the login: no pumps, no alerts, no calm "no alerts" text.
    expect(await page.locator('#console').isVisible()).toBe(false);
    expect(await page.locator('#console-header').isVisible()).toBe(false);
    expect(await page.getByTestId('login-notice').isVisible()).toBe(false);
    await page.screenshot({ path: screenshotPath('login-page'), fullPage: true });

    // Focus starts in Username; Tab, typing and Enter do the rest.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('login-username');
    await page.keyboard.type(NURSE.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type('not-the-password');
    await page.keyboard.press('Enter');
    const error = page.getByTestId('login-error');
    await error.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await error.textContent()).toBe('Wrong username or password. Check both and try again.');
    expect(await error.getAttribute('role')).toBe('alert');
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('login-password');
    expect(await storedToken(page)).toBeNull();
    expect(await page.locator('body').getAttribute('data-view')).toBe('login');
    await page.screenshot({ path: screenshotPath('login-wrong-password'), fullPage: true });

    // The wrong password is selected: typing replaces it.
    await page.keyboard.type(NURSE.password);
    await page.keyboard.press('Enter');
    await consoleShown(page);
    expect(await page.getByTestId('session-user').textContent()).toBe('ines');
    expect(await page.getByTestId('session-role').textContent()).toBe('Nurse');
    await page.locator('#live-indicator[data-live="true"]').waitFor({ timeout: 10_000 });
    // A reload keeps the session of this tab.
    await page.reload();
    await consoleShown(page);
    expect(await page.getByTestId('session-user').textContent()).toBe('ines');
    await page.close();
  });

  it('logs out and in again without a reload, leaving no listener of the first console behind', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(countListeners);
    const page = await context.newPage();
    await page.goto(`${server.httpUrl}/`);
    await fillLogin(page, NURSE);
    await consoleShown(page);
    await page.locator('#live-indicator[data-live="true"]').waitFor({ timeout: 10_000 });
    await page.evaluate(() => Object.assign(window, { __samePage: true }));
    const first = await page.evaluate(() => (window as unknown as { __listeners(): number }).__listeners());

    await page.getByRole('button', { name: 'Log out' }).click();
    await loginShown(page);
    await fillLogin(page, NURSE);
    await consoleShown(page);
    await page.locator('#live-indicator[data-live="true"]').waitFor({ timeout: 10_000 });
    // The same page (no reload), as many listeners as after the first login, and the header as new.
    expect(await page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage)).toBe(true);
    const second = await page.evaluate(() => (window as unknown as { __listeners(): number }).__listeners());
    console.info(`DOM listeners after the first login ${first}, after the second ${second}`);
    expect(second).toBe(first);
    expect(await page.getByTestId('logout-button').textContent()).toBe('Log out');
    expect(await page.locator('#snooze-length option').count()).toBe(4);
    // One click, one toggle: a listener left from the first console would toggle the pause back.
    await page.locator('#audio-pause').click();
    expect(await page.locator('#audio-pause').getAttribute('aria-pressed')).toBe('true');
    await context.close();
  });

  it('fits a phone: labelled fields and a full-width button, nothing sideways', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    await page.goto(`${server.httpUrl}/`);
    await loginShown(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const button = await page.getByRole('button', { name: 'Log in' }).boundingBox();
    expect(button?.height).toBeGreaterThanOrEqual(44);
    expect(button?.width).toBeGreaterThan(300);
    for (const label of ['Username', 'Password']) {
      expect((await page.getByLabel(label).boundingBox())?.height).toBeGreaterThanOrEqual(44);
    }
    await page.screenshot({ path: screenshotPath('login-phone'), fullPage: true });
    await context.close();
  });

  it('goes back to the login page, saying the session expired, when the API answers 401', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.httpUrl}/`);
    await fillLogin(page, NURSE);
    await consoleShown(page);
    const token = await storedToken(page);
    // Ended elsewhere (as an expired or revoked token would be): the console learns at its next request.
    expect((await postJson(`${server.httpUrl}/api/logout`, {}, token as string)).status).toBe(200);
    await page.goto(`${server.httpUrl}/#/pumps/PUMP-ANY`);
    await loginShown(page);
    expect(await page.getByTestId('login-notice').textContent()).toMatch(/^Session expired: log in again/);
    expect(await page.title()).toContain('NOT LIVE');
    expect(await storedToken(page)).toBeNull();
    await page.close();
  });
});

describe('end of a session in a real browser', () => {
  let server: PumpwatchServer | undefined;
  let browser: Browser;
  let options: { httpPort: number; mqttPort: number; dataDir: string };
  const TTL_MS = 10_000;
  const auth = (tokenSecret: string) => ({
    ...AUTH_REQUIRED,
    tokenSecret,
    tokenTtlMs: TTL_MS,
    loginRateLimit: { max: 4, windowMs: 60_000 },
  });

  beforeAll(async () => {
    options = { httpPort: await freePort(), mqttPort: await freePort(), dataDir: tempDataDir() };
    server = await startTestServer({ ...options, auth: auth('a'.repeat(32)) });
    const admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    await createUser(server.httpUrl, admin, NURSE);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('notices a WebSocket upgrade refused after a restart with another key, and asks for a login', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${(server as PumpwatchServer).httpUrl}/`);
    await fillLogin(page, NURSE);
    await page.locator('#live-indicator[data-live="true"]').waitFor({ timeout: 10_000 });

    // Tokens signed with the old key are worthless to the new server: it refuses the upgrade with 401.
    await (server as PumpwatchServer).stop();
    server = undefined;
    server = await startTestServer({ ...options, auth: auth('b'.repeat(32)) });
    const restartedAt = Date.now();
    await loginShown(page, 15_000);
    console.info(`login page ${Date.now() - restartedAt} ms after the restart`);
    expect(await page.getByTestId('login-notice').textContent()).toMatch(/^Session expired/);
    const health = await getJson<{ auth: { websocketRejected: number } }>(`${server.httpUrl}/api/health`);
    expect(health.body.auth.websocketRejected).toBeGreaterThanOrEqual(1);
    await page.close();
  });

  it('ends the session when the token expires, warning before it does', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${(server as PumpwatchServer).httpUrl}/`);
    await fillLogin(page, NURSE);
    await consoleShown(page);
    const loggedInAt = Date.now();
    // Less than 15 minutes left: the header says when the session ends.
    expect(await page.getByTestId('session-note').textContent()).toMatch(/^Session ends in 0:\d\d/);
    await loginShown(page, TTL_MS + 5_000);
    const after = Date.now() - loggedInAt;
    expect(after).toBeGreaterThan(TTL_MS - 2_000);
    expect(await page.getByTestId('login-notice').textContent()).toMatch(/^Session expired/);
    expect(await page.getByTestId('pump-card').count()).toBe(0);

    // Nobody is watching through this console any more: like a lost connection, it sounds after 30 s.
    const endedAt = Date.now();
    expect(await page.getByTestId('login-sound').isVisible()).toBe(false);
    await page.locator('[data-testid="login-sound"][data-alarm="medium"]').waitFor({ timeout: 40_000 });
    expect(Date.now() - endedAt).toBeGreaterThan(25_000);
    // Logging in ends it.
    await fillLogin(page, NURSE);
    await consoleShown(page);
    expect(await page.getByTestId('login-sound').isVisible()).toBe(false);
    await page.close();
  });

  it('says when there were too many login attempts and how long to wait', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${(server as PumpwatchServer).httpUrl}/`);
    await loginShown(page);
    const error = page.getByTestId('login-error');
    // Three logins so far on this server; the limit is four a minute.
    for (let attempt = 0; attempt < 4; attempt++) {
      await fillLogin(page, { username: NURSE.username, password: `wrong-${attempt}` });
      await page.locator('[data-testid="login-submit"]:not([aria-disabled])').waitFor();
      if ((await error.textContent())?.startsWith('Too many')) break;
    }
    expect(await error.textContent()).toMatch(/^Too many login attempts from this computer\. Wait \d+ s/);
    await page.screenshot({ path: screenshotPath('login-rate-limited'), fullPage: true });
    await page.close();
  });
});
