import type { Gateway } from '@pumpwatch/gateway';
import type { PumpwatchServer } from '@pumpwatch/server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath } from './support/browser.js';
import { startTestGateway } from './support/gateway-harness.js';
import { startTestServer } from './support/server-harness.js';

/** The dashboard in Debian's Chromium against the real server and simulated pumps through a gateway. */
describe('dashboard in a real browser', () => {
  let server: PumpwatchServer;
  let gateway: Gateway;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    gateway = await startTestGateway(server.mqttUrl, {
      hubId: 'hub-browser',
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
    const nurse = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const colleague = await phone.newPage();
    await nurse.goto(`${server.httpUrl}/`);
    await colleague.goto(`${server.httpUrl}/`);

    await nurse.locator('[data-testid="pump-card"][data-pump-id="PUMP-B-OK"]').waitFor();
    const row = nurse.locator('[data-testid="alert-row"][data-priority="high"]', { hasText: 'PUMP-B-OCC' });
    await row.waitFor({ timeout: 30_000 });
    await expect(row.getAttribute('data-status')).resolves.toBe('active');
    await expect(nurse.locator('[data-testid="connection-banner"]').isVisible()).resolves.toBe(false);

    await nurse.getByTestId('nurse-name').fill('Nurse Grace');
    await row.getByTestId('ack-button').click();
    await nurse
      .locator('[data-testid="alert-row"][data-status="acknowledged"]', { hasText: 'PUMP-B-OCC' })
      .waitFor({ timeout: 10_000 });
    await nurse.screenshot({ path: screenshotPath('dashboard-acknowledged'), fullPage: true });

    await colleague
      .locator('[data-testid="alert-row"][data-status="acknowledged"]', { hasText: 'PUMP-B-OCC' })
      .waitFor({ timeout: 10_000 });
    await expect(colleague.getByText('Nurse Grace').first().isVisible()).resolves.toBe(true);
    await colleague.screenshot({ path: screenshotPath('dashboard-phone'), fullPage: true });
  });
});
