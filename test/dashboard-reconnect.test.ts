import type { Gateway } from '@pumpwatch/gateway';
import type { Alert, TelemetrySample } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRow, launchChromium, screenshotPath, waitForLive } from './support/browser.js';
import { startTestGateway } from './support/gateway-harness.js';
import { freePort } from './support/ports.js';
import {
  AUTH_REQUIRED,
  createUser,
  getJson,
  login,
  registerHub,
  startTestServer,
  TEST_ADMIN,
  tempDataDir,
} from './support/server-harness.js';
import { sleep, waitFor } from './support/wait.js';

/**
 * A disconnected console never looks calm: stopping the real server shows the banner at once; starting
 * it again on the same ports and data directory clears the banner without a reload, and the alert
 * raised while the console was cut off (air in line, buffered by the gateway's outbox) is on screen.
 * Authentication is required throughout: the nurse's session (its signing key is kept in the data
 * directory) and the hub's broker credentials both outlive the restart, and a socket refused for want of
 * a server is not mistaken for a refused session.
 */

const NURSE = { username: 'rosa', password: 'rosa-password-1', role: 'nurse' } as const;

/** Air in line starts this long after the gateway starts: while the server is down. */
const AIR_ONSET_MS = 7_000;
const STOP_AFTER_MS = 3_000;
const RESTART_AFTER_MS = 10_000;

describe('dashboard across a server restart', () => {
  let server: PumpwatchServer | undefined;
  let gateway: Gateway;
  let browser: Browser;
  let options: { httpPort: number; mqttPort: number; dataDir: string; auth: typeof AUTH_REQUIRED };
  let hub: { username: string; password: string };
  let adminToken: string;

  beforeAll(async () => {
    options = {
      httpPort: await freePort(),
      mqttPort: await freePort(),
      dataDir: tempDataDir(),
      auth: AUTH_REQUIRED,
    };
    server = await startTestServer(options);
    adminToken = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    await createUser(server.httpUrl, adminToken, NURSE);
    hub = await registerHub(server.httpUrl, adminToken, 'hub-restart');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await server?.stop();
  });

  it('shows the banner while the server is down and the alert raised meanwhile once it is back', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${(server as PumpwatchServer).httpUrl}/`);
    await page.getByLabel('Username').fill(NURSE.username);
    await page.getByLabel('Password').fill(NURSE.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await waitForLive(page);

    const gatewayStart = Date.now();
    gateway = await startTestGateway((server as PumpwatchServer).mqttUrl, {
      hubId: 'hub-restart',
      mqtt: { username: hub.username, password: hub.password },
      simulation: { speed: 1, intervalMs: 250 },
      pumps: [
        {
          pumpId: 'PUMP-R-AIR',
          driver: 'simulated',
          scenario: 'air_in_line',
          rate_mL_h: 125,
          onsetMs: AIR_ONSET_MS,
        },
        { pumpId: 'PUMP-R-OK', driver: 'simulated', scenario: 'normal', rate_mL_h: 80 },
      ],
    });
    await page.locator('[data-testid="pump-card"][data-pump-id="PUMP-R-AIR"]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('alert-row').count()).toBe(0);

    await sleep(Math.max(0, gatewayStart + STOP_AFTER_MS - Date.now()));
    const stoppedAt = Date.now();
    await (server as PumpwatchServer).stop();
    server = undefined;

    // The socket closes with the server: the banner is back at once, not after the 12 s staleness limit.
    const banner = page.getByTestId('connection-banner');
    await banner.waitFor({ state: 'visible', timeout: 5_000 });
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(await banner.textContent()).toContain('Not receiving live data');
    expect(await page.title()).toContain('NOT LIVE');
    expect(await page.locator('#alert-summary').textContent()).toMatch(/^As of \d\d:\d\d:\d\d: /);
    expect(await page.locator('#live-indicator').getAttribute('data-live')).toBe('false');
    // The last known pumps stay visible, marked as not live rather than vanishing.
    expect(await page.getByTestId('pump-card').count()).toBe(2);
    await page.screenshot({ path: screenshotPath('reconnect-server-down'), fullPage: true });

    // Air in line starts while nobody can hear about it.
    await sleep(Math.max(0, gatewayStart + RESTART_AFTER_MS - Date.now()));
    expect(await page.getByTestId('connection-banner').isVisible()).toBe(true);
    const restartedAt = Date.now();
    server = await startTestServer(options);
    expect(server.httpUrl).toBe(`http://127.0.0.1:${options.httpPort}`);

    // Without a reload: the console reconnects on its own, takes the new snapshot and shows the alert.
    const row = alertRow(page, 'PUMP-R-AIR', 'Air in line');
    await row.waitFor({ timeout: 20_000 });
    await waitForLive(page, 20_000);
    expect(await page.getByTestId('connection-banner').count()).toBe(0);
    // Still the nurse's console: the failed reconnects while the server was down did not end the session.
    expect(await page.locator('body').getAttribute('data-view')).toBe('console');
    expect(await page.getByTestId('session-user').textContent()).toBe(NURSE.username);
    expect(await row.getAttribute('data-status')).toBe('active');
    expect(await row.getAttribute('data-priority')).toBe('high');
    expect(await page.title()).not.toContain('NOT LIVE');
    console.info(`console live again ${Date.now() - restartedAt} ms after the server restarted`);

    // The alert's cause happened while the server was down: the gateway buffered the pump's samples and
    // delivered them after the restart, so the server's history holds air-in-line samples from the gap.
    adminToken = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    const alerts = (await getJson<Alert[]>(`${server.httpUrl}/api/alerts`, adminToken)).body;
    const air = alerts.find((a) => a.pumpId === 'PUMP-R-AIR' && a.rule === 'air_in_line');
    expect(air?.raisedAt).toBeGreaterThan(stoppedAt);
    const gap = await waitFor(
      async () => {
        const url = `${server?.httpUrl}/api/pumps/PUMP-R-AIR/samples?from=${stoppedAt}&to=${restartedAt}`;
        const { body } = await getJson<{ samples: TelemetrySample[] }>(url, adminToken);
        return body.samples.some((s) => s.alarms.includes('air_in_line')) ? body.samples : undefined;
      },
      { timeoutMs: 10_000, what: 'buffered air-in-line samples from the outage' },
    );
    const firstAir = gap.find((s) => s.alarms.includes('air_in_line'))?.ts ?? 0;
    console.info(
      `${gap.length} samples from the outage; air in line from +${firstAir - stoppedAt} ms, alert raisedAt +${(air?.raisedAt ?? 0) - stoppedAt} ms after the stop; restart at +${restartedAt - stoppedAt} ms`,
    );
    await waitFor(
      async () => (await page.locator('[data-testid="pump-card"][data-online="true"]').count()) === 2,
      {
        timeoutMs: 10_000,
        what: 'both pumps online again',
      },
    );
    await page.screenshot({ path: screenshotPath('reconnect-restored'), fullPage: true });
  });
});
