import type { Gateway } from '@pumpwatch/gateway';
import type { PumpwatchServer } from '@pumpwatch/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRow, launchChromium, screenshotPath, waitForLive } from './support/browser.js';
import { startTestGateway } from './support/gateway-harness.js';
import { startTestServer } from './support/server-harness.js';

/**
 * Issue 13 in Debian's Chromium against the real server and gateway: patient first on the alert and the
 * card ("Unassigned pump" until the care API can assign one), the phone's first screen shows the worst
 * alert, and no pump looks online behind an offline hub or on a console that is not live.
 */

describe('patient first, phone first screen, honest connectivity', () => {
  let server: PumpwatchServer;
  let gateway: Gateway | undefined;
  let browser: Browser;
  let phone: Page;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.goto(`${server.httpUrl}/`);
    await waitForLive(phone);
    gateway = await startTestGateway(server.mqttUrl, {
      hubId: 'hub-care',
      simulation: { speed: 1, intervalMs: 250 },
      pumps: [
        { pumpId: 'PUMP-K-OCC', driver: 'simulated', scenario: 'occlusion', rate_mL_h: 250, onsetMs: 2_000 },
        { pumpId: 'PUMP-K-OK', driver: 'simulated', scenario: 'normal', rate_mL_h: 100 },
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await server?.stop();
  });

  it('on a phone the worst alert, with its patient line, is on the first screen', async () => {
    const row = alertRow(phone, 'PUMP-K-OCC', 'Downstream occlusion');
    await row.waitFor({ timeout: 20_000 });
    // No care API yet: the alert says plainly that the pump is unassigned, not a blank.
    expect(await row.getByTestId('alert-patient').textContent()).toBe('Unassigned pump');
    const first = phone.getByTestId('alert-row').first();
    expect(await first.getAttribute('data-priority')).toBe('high');
    const box = await first.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(844);
    // The folded controls are one tap away, and the sound status never folds.
    await expect.poll(() => phone.locator('#audio-pause').isVisible()).toBe(false);
    expect(await phone.getByTestId('sound-status').isVisible()).toBe(true);
    await phone.getByRole('button', { name: 'More controls' }).click();
    expect(await phone.locator('#audio-pause').isVisible()).toBe(true);
    expect(await phone.getByRole('button', { name: 'Fewer controls' }).getAttribute('aria-expanded')).toBe(
      'true',
    );
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.getByRole('button', { name: 'Fewer controls' }).click();
    await phone.screenshot({ path: screenshotPath('care-phone'), fullPage: false });
  });

  it('the cards name "Unassigned pump" first and the pump id smaller', async () => {
    const card = phone.locator('[data-testid="pump-card"][data-pump-id="PUMP-K-OK"]');
    await card.waitFor();
    expect(await card.getByTestId('pump-patient').textContent()).toBe('Unassigned pump');
    expect(await card.getByRole('link').textContent()).toBe('PUMP-K-OK');
    await expect.poll(() => card.getAttribute('data-online'), { timeout: 10_000 }).toBe('true');
  });

  it('no card says Online once its hub is offline', async () => {
    await gateway?.stop();
    gateway = undefined;
    const cards = phone.getByTestId('pump-card');
    await expect
      .poll(() => phone.locator('[data-testid="pump-card"][data-connectivity="hub-offline"]').count(), {
        timeout: 90_000,
        interval: 500,
      })
      .toBe(2);
    expect(await phone.locator('[data-testid="pump-card"][data-online="true"]').count()).toBe(0);
    for (const text of await cards.locator('.connectivity').allTextContents())
      expect(text).not.toBe('Online');
  }, 120_000);

  it('no card says Online while the console is not live', async () => {
    await server.stop();
    await phone.getByTestId('connection-banner').waitFor({ timeout: 20_000 });
    await expect
      .poll(() => phone.locator('[data-testid="pump-card"][data-connectivity="stale"]').count(), {
        timeout: 10_000,
      })
      .toBe(2);
    expect(await phone.locator('[data-testid="pump-card"][data-online="true"]').count()).toBe(0);
  });
});
