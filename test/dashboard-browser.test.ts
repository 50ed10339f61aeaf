import type { Gateway } from '@pumpwatch/gateway';
import type { Alert } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchChromium, screenshotPath } from './support/browser.js';
import { startTestGateway } from './support/gateway-harness.js';
import {
  AUTH_REQUIRED,
  createUser,
  getJson,
  login,
  registerHub,
  startTestServer,
  TEST_ADMIN,
  type TestUser,
} from './support/server-harness.js';

/**
 * The dashboard in Debian's Chromium against the real server (authentication required, the production
 * default) and simulated pumps through a gateway that logs in to the broker with its hub credentials.
 */

const NURSE: TestUser = { username: 'grace', password: 'grace-password-1', role: 'nurse' };
const VIEWER: TestUser = { username: 'vic', password: 'vic-password-1', role: 'viewer' };

/** Through the login page, as a person would; resolves once the console is showing. */
async function logInThroughPage(page: Page, url: string, user: TestUser): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('body[data-view="console"]').waitFor({ timeout: 10_000 });
}

/** The HTTP status `/ws?token=` answers: 101 when the upgrade is accepted, 401 when refused. */
function upgradeStatus(httpUrl: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
    socket.once('upgrade', (res) => resolve(res.statusCode ?? 0));
    socket.once('open', () => socket.terminate());
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

/** The session this tab keeps (sessionStorage), or null. */
async function storedToken(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const raw = sessionStorage.getItem('pumpwatch.session');
    return raw ? (JSON.parse(raw) as { token: string }).token : null;
  });
}

describe('dashboard in a real browser', () => {
  let server: PumpwatchServer;
  let gateway: Gateway;
  let browser: Browser;
  let nurse: Page;

  beforeAll(async () => {
    server = await startTestServer({ auth: AUTH_REQUIRED });
    const admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    await createUser(server.httpUrl, admin, NURSE);
    await createUser(server.httpUrl, admin, VIEWER);
    const hub = await registerHub(server.httpUrl, admin, 'hub-browser');
    gateway = await startTestGateway(server.mqttUrl, {
      hubId: 'hub-browser',
      mqtt: { username: hub.username, password: hub.password },
      simulation: { speed: 10, intervalMs: 100 },
      pumps: [
        { pumpId: 'PUMP-B-OCC', driver: 'simulated', scenario: 'occlusion', rate_mL_h: 100, onsetMs: 3000 },
        { pumpId: 'PUMP-B-OK', driver: 'simulated', scenario: 'normal', rate_mL_h: 80 },
      ],
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await server?.stop();
  });

  it('lists live pumps, shows the occlusion alert and acknowledges it for every viewer', async () => {
    nurse = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const colleague = await phone.newPage();
    await logInThroughPage(nurse, `${server.httpUrl}/`, NURSE);
    await logInThroughPage(colleague, `${server.httpUrl}/`, VIEWER);

    // Who is logged in, with which role; no name field: the server knows who acknowledges.
    expect(await nurse.getByTestId('session-user').textContent()).toBe('grace');
    expect(await nurse.getByTestId('session-role').textContent()).toBe('Nurse');
    expect(await nurse.getByTestId('nurse-name').count()).toBe(0);
    expect(await colleague.getByTestId('session-role').textContent()).toBe('Viewer');

    await nurse.locator('[data-testid="pump-card"][data-pump-id="PUMP-B-OK"]').waitFor();
    const row = nurse.locator('[data-testid="alert-row"][data-priority="high"]', { hasText: 'PUMP-B-OCC' });
    await row.waitFor({ timeout: 30_000 });
    await expect(row.getAttribute('data-status')).resolves.toBe('active');
    await expect(nurse.locator('[data-testid="connection-banner"]').isVisible()).resolves.toBe(false);

    // The viewer sees the same active alert, without Acknowledge or Snooze, and is told why.
    const viewerRow = colleague.locator('[data-testid="alert-row"][data-status="active"]', {
      hasText: 'PUMP-B-OCC',
    });
    await viewerRow.waitFor({ timeout: 10_000 });
    expect(await viewerRow.getByTestId('ack-button').isVisible()).toBe(false);
    expect(await viewerRow.getByTestId('snooze-button').isVisible()).toBe(false);
    expect(await viewerRow.getByTestId('view-only').isVisible()).toBe(true);
    expect(await colleague.getByRole('button', { name: /^Acknowledge/ }).count()).toBe(0);
    expect(await colleague.getByTestId('session-note').textContent()).toContain('View only');

    await row.getByTestId('ack-button').click();
    await nurse
      .locator('[data-testid="alert-row"][data-status="acknowledged"]', { hasText: 'PUMP-B-OCC' })
      .waitFor({ timeout: 10_000 });
    await nurse.screenshot({ path: screenshotPath('dashboard-acknowledged'), fullPage: true });

    await colleague
      .locator('[data-testid="alert-row"][data-status="acknowledged"]', { hasText: 'PUMP-B-OCC' })
      .waitFor({ timeout: 10_000 });
    await expect(colleague.getByText('Acknowledged by grace').first().isVisible()).resolves.toBe(true);
    await colleague.screenshot({ path: screenshotPath('dashboard-phone'), fullPage: true });

    // The acknowledgement is recorded against the logged-in user, not a name typed in the browser.
    const admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    const alerts = (await getJson<Alert[]>(`${server.httpUrl}/api/alerts?status=all`, admin)).body;
    expect(alerts.find((a) => a.pumpId === 'PUMP-B-OCC')?.acknowledgedBy).toBe('grace');
  });

  it('logs out: back to the login page, nothing of the console left, and the old token no longer opens /ws', async () => {
    const token = await storedToken(nurse);
    expect(token).not.toBeNull();
    // The token lives in this tab's sessionStorage only, never in localStorage.
    expect(
      await nurse.evaluate((t) => JSON.stringify({ ...localStorage }).includes(t), token as string),
    ).toBe(false);
    expect(await upgradeStatus(server.httpUrl, token as string)).toBe(101);

    await nurse.getByRole('button', { name: 'Log out' }).click();
    await nurse.locator('body[data-view="login"]').waitFor({ timeout: 5_000 });
    expect(await nurse.getByTestId('login-notice').textContent()).toBe('You have logged out.');
    expect(await nurse.getByLabel('Username').isVisible()).toBe(true);
    expect(await storedToken(nurse)).toBeNull();
    // No patient data stays on a screen nobody is logged in to.
    expect(await nurse.getByTestId('pump-card').count()).toBe(0);
    expect(await nurse.getByTestId('alert-row').count()).toBe(0);
    expect(await nurse.locator('#console-header').isVisible()).toBe(false);

    expect(await upgradeStatus(server.httpUrl, token as string)).toBe(401);
    expect((await getJson(`${server.httpUrl}/api/pumps`, token as string)).status).toBe(401);

    // Logging in again in the same tab brings the console back.
    await nurse.getByLabel('Username').fill(NURSE.username);
    await nurse.getByLabel('Password').fill(NURSE.password);
    await nurse.keyboard.press('Enter');
    await nurse.locator('[data-testid="pump-card"][data-pump-id="PUMP-B-OK"]').waitFor({ timeout: 10_000 });
    expect(await nurse.getByTestId('session-user').textContent()).toBe('grace');
  });
});
