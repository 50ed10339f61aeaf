import type { Gateway } from '@pumpwatch/gateway';
import type { Alert } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertRow,
  emulateHiddenTab,
  launchChromium,
  recordedNotifications,
  screenshotPath,
  waitForLive,
} from './support/browser.js';
import { startTestGateway } from './support/gateway-harness.js';
import { getJson, startTestServer } from './support/server-harness.js';
import { waitFor } from './support/wait.js';

/**
 * The nurse console in Debian's Chromium against the real server, real gateway and simulated pumps in
 * real time (speed 1): the occlusion alert shows within seconds of its onset, sounds, escalates to the
 * second on-call tier, notifies a hidden tab, can be snoozed and acknowledged.
 */

/** The occlusion starts this long after the gateway starts, leaving time for the page to go live. */
const ONSET_MS = 6_000;
/** Issue 6: "the occlusion alert appears within a few seconds of the scenario's onset". */
const MAX_ALERT_DELAY_MS = 5_000;

describe('nurse console in a real browser', () => {
  let server: PumpwatchServer;
  let gateway: Gateway;
  let browser: Browser;
  let hiddenContext: BrowserContext;
  let nurse: Page;
  let hiddenTab: Page;
  let onsetAt = 0;

  beforeAll(async () => {
    server = await startTestServer({
      // Two on-call tiers, 4 s to answer a high alert: escalation becomes visible within the test.
      escalation: { highAfterMs: 4_000, tiers: [{ name: 'on-call nurse' }, { name: 'charge nurse' }] },
    });
    browser = await launchChromium();
    nurse = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    hiddenContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await hiddenContext.grantPermissions(['notifications'], { origin: server.httpUrl });
    await emulateHiddenTab(hiddenContext);
    hiddenTab = await hiddenContext.newPage();
    await Promise.all([nurse.goto(`${server.httpUrl}/`), hiddenTab.goto(`${server.httpUrl}/`)]);
    await Promise.all([waitForLive(nurse), waitForLive(hiddenTab)]);

    const startedAt = Date.now();
    gateway = await startTestGateway(server.mqttUrl, {
      hubId: 'hub-console',
      simulation: { speed: 1, intervalMs: 250 },
      pumps: [
        {
          pumpId: 'PUMP-C-OCC',
          driver: 'simulated',
          scenario: 'occlusion',
          rate_mL_h: 250,
          onsetMs: ONSET_MS,
        },
        { pumpId: 'PUMP-C-BAT', driver: 'simulated', scenario: 'battery_low', rate_mL_h: 50, onsetMs: 1_000 },
        { pumpId: 'PUMP-C-OK', driver: 'simulated', scenario: 'normal', rate_mL_h: 80 },
      ],
    });
    // The simulated pumps start inside gateway.start(), so the true onset is at or after this instant:
    // the delay measured from it can only be overstated.
    onsetAt = startedAt + ONSET_MS;
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await server?.stop();
  });

  it('shows the occlusion alert within a few seconds of its onset, high, red, with text and icon', async () => {
    const row = alertRow(nurse, 'PUMP-C-OCC', 'Downstream occlusion');
    await row.waitFor({ timeout: ONSET_MS + 15_000 });
    const seenAt = Date.now();
    expect(seenAt - onsetAt).toBeLessThan(MAX_ALERT_DELAY_MS);
    console.info(`occlusion alert on screen ${seenAt - onsetAt} ms after the scenario's onset`);

    expect(await row.getAttribute('data-priority')).toBe('high');
    expect(await row.getAttribute('data-status')).toBe('active');
    expect(await row.locator('.badge').textContent()).toContain('HIGH');
    expect(await row.locator('.badge svg.icon-high').count()).toBe(1);
    // The alert is high and unacknowledged: it flashes (IEC 60601-1-8) and is the first row.
    expect(await row.getAttribute('class')).toContain('flashing');
    expect(await nurse.getByTestId('alert-row').first().getAttribute('data-priority')).toBe('high');
    // One card per pump (issue 16), led by the occluded pump's, its worst alert on top.
    const firstCard = nurse.getByTestId('alert-card').first();
    expect(await firstCard.getAttribute('data-pump-id')).toBe('PUMP-C-OCC');
    expect(await firstCard.getAttribute('data-priority')).toBe('high');
    expect(await firstCard.getByTestId('alert-row').first().getAttribute('data-priority')).toBe('high');
    const cards = await nurse.getByTestId('alert-card').evaluateAll((els) =>
      els.map((card) => ({
        pump: card.getAttribute('data-pump-id'),
        rows: Array.from(card.querySelectorAll('[data-testid="alert-row"] .alert-pump')).map(
          (p) => (p.textContent ?? '').split(' ')[0],
        ),
      })),
    );
    expect(new Set(cards.map((c) => c.pump)).size).toBe(cards.length);
    for (const card of cards) expect(card.rows.every((pump) => pump === card.pump)).toBe(true);
    // The occluded pump leads the grid.
    expect(await nurse.getByTestId('pump-card').first().getAttribute('data-pump-id')).toBe('PUMP-C-OCC');
  });

  it('sounds the high-priority burst once the nurse has turned sound on', async () => {
    const sound = nurse.getByTestId('sound-status');
    // Chromium starts audio only after a user gesture: until then the console says the sound is off.
    expect(await sound.getAttribute('data-sound')).toBe('blocked');
    await nurse.getByRole('button', { name: 'Turn on sound' }).click();
    await nurse.locator('[data-testid="sound-status"][data-sound="ready"][data-alarm="high"]').waitFor();
    await nurse.waitForFunction(
      () => Number(document.querySelector('[data-testid="sound-status"]')?.getAttribute('data-bursts')) >= 1,
      null,
      { timeout: 5_000 },
    );
    expect(await sound.textContent()).toMatch(/Sounding: high priority alarm/);
  });

  it('shows the escalation to the second on-call tier', async () => {
    const row = alertRow(nurse, 'PUMP-C-OCC', 'Downstream occlusion');
    await nurse
      .locator('[data-testid="alert-row"][data-escalation-level="1"]', { hasText: 'PUMP-C-OCC' })
      .waitFor({ timeout: 15_000 });
    expect(await row.getByTestId('escalation').textContent()).toMatch(
      /^Escalated to tier 2, (just now|\d+ s ago)/,
    );
    await nurse.screenshot({ path: screenshotPath('console-escalated'), fullPage: true });
  });

  it('notifies a hidden tab of the new alert and of its escalation', async () => {
    const titles = await waitFor(
      async () => {
        const shown = (await recordedNotifications(hiddenTab)).map((n) => n.title);
        return shown.some((t) => t.includes('tier 2')) ? shown : undefined;
      },
      { timeoutMs: 15_000, what: 'notifications in the hidden tab' },
    );
    expect(titles).toContain('HIGH: Downstream occlusion — PUMP-C-OCC');
    expect(titles).toContain('HIGH: Downstream occlusion — PUMP-C-OCC — escalated to tier 2');
    // The visible console raised none: notifications are for a tab the nurse is not looking at.
    expect(await recordedNotifications(nurse)).toEqual([]);
    expect(await hiddenTab.locator('#notify-status').getAttribute('data-notify')).toBe('granted');
  });

  it('pauses all audio for a bounded time from the header, and resumes', async () => {
    const pause = nurse.locator('#audio-pause');
    await pause.click();
    await nurse.locator('[data-testid="sound-status"][data-alarm="paused"]').waitFor();
    expect(await pause.getAttribute('aria-pressed')).toBe('true');
    expect(await nurse.getByTestId('sound-status').textContent()).toMatch(/Audio paused, [12]:\d\d left/);
    await pause.click();
    await nurse.locator('[data-testid="sound-status"][data-alarm="high"]').waitFor();
  });

  it('snoozes the high alert on the server: every console stops sounding it, the medium alert sounds', async () => {
    await alertRow(nurse, 'PUMP-C-BAT', 'Battery low').waitFor({ timeout: 10_000 });
    await nurse.getByTestId('nurse-name').fill('Nurse Ines');
    const row = alertRow(nurse, 'PUMP-C-OCC', 'Downstream occlusion');
    await row.getByTestId('snooze-button').click();
    await row.locator('[data-testid="snooze-note"]:not([hidden])').waitFor({ timeout: 5_000 });
    expect(await row.getByTestId('snooze-note').textContent()).toMatch(
      /^Audio snoozed until \d\d:\d\d:\d\d \(\d:\d\d left\)$/,
    );
    expect(await row.getAttribute('data-status')).toBe('active');
    // Distinct patterns: with the high alert snoozed, the medium one's 3-pulse burst takes over.
    await nurse.locator('[data-testid="sound-status"][data-alarm="medium"]').waitFor();

    const [listed] = (await getJson<Alert[]>(`${server.httpUrl}/api/alerts`)).body.filter(
      (a) => a.pumpId === 'PUMP-C-OCC' && a.rule === 'occlusion_downstream',
    );
    expect(listed?.snoozedUntil).toBeGreaterThan(Date.now() + 60_000);
    expect(listed?.snoozedUntil).toBeLessThanOrEqual(Date.now() + 120_000);
    // The hidden tab learnt the snooze from the server, not from this browser.
    await alertRow(hiddenTab, 'PUMP-C-OCC', 'Downstream occlusion')
      .locator('[data-testid="snooze-note"]:not([hidden])')
      .waitFor({ timeout: 5_000 });
  });

  it('acknowledges with the keyboard; the console falls quiet once nothing active remains', async () => {
    for (const [pumpId, rule] of [
      ['PUMP-C-BAT', 'Battery low'],
      ['PUMP-C-OCC', 'Downstream occlusion'],
    ] as const) {
      const row = alertRow(nurse, pumpId, rule);
      await row.getByTestId('ack-button').focus();
      await nurse.keyboard.press('Enter');
      await nurse
        .locator('[data-testid="alert-row"][data-status="acknowledged"]', { hasText: pumpId })
        .filter({ hasText: rule })
        .waitFor({ timeout: 5_000 });
      expect(await row.textContent()).toContain('Acknowledged by Nurse Ines');
    }
    await nurse.locator('[data-testid="sound-status"][data-alarm="none"]').waitFor();
    // Acknowledging stops the escalation countdown; the tier reached stays visible.
    const occ = alertRow(nurse, 'PUMP-C-OCC', 'Downstream occlusion');
    expect(await occ.getByTestId('escalation').textContent()).toMatch(/^Escalated to tier 2, [^;]*$/);
    await nurse.screenshot({ path: screenshotPath('console-acknowledged'), fullPage: true });

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.goto(`${server.httpUrl}/`);
    await waitForLive(phone);
    await alertRow(phone, 'PUMP-C-OCC').waitFor();
    // Nothing spills sideways on a phone.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: screenshotPath('console-phone'), fullPage: true });
    await phone.close();
  });
});
