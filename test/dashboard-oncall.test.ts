import type { Alert } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath, waitForLive } from './support/browser.js';
import {
  decryptPush,
  PAGED_NURSE,
  startPagingServer,
  startPushService,
  subscriberKeys,
} from './support/paging-push-service.js';
import { hubSample } from './support/samples.js';
import { createUser, getJson, postJson } from './support/server-harness.js';
import { waitFor } from './support/wait.js';

/**
 * Issue 14, the dashboard's on-call views, in Debian's Chromium against a real server (authentication
 * required): the header says who is on call for the nurse's team; the rota page lists the shifts and an
 * override made there ("I take this shift") changes who is on call, on the server and in the header;
 * "Send me a test alert" shows the push receipt from the loopback push service; an alert's page shows
 * its escalation path and its receipts, including the "shown" the phone reported.
 */

const BEN = { username: 'ben-nurse', password: 'accordion lantern pebble', role: 'nurse' } as const;
const DEVICE_LABEL = 'Chromium test phone';

let server: PumpwatchServer;
let adminToken: string;
let nurseToken: string;
let push: Awaited<ReturnType<typeof startPushService>>;
let browser: Browser;
let page: Page;
let teamId: string;
const keys = subscriberKeys();

/** A date `days` from today in the team's zone (Europe/London), as `YYYY-MM-DD`. */
const londonDate = (days: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(Date.now() + days * 86_400_000);

const goTo = (hash: string) =>
  page.evaluate((h) => {
    location.hash = h;
  }, hash);

async function putJson(url: string, payload: unknown, token: string) {
  const response = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** Who the server says is on call for the team now. */
async function onCallNow(): Promise<string | null> {
  const answer = await getJson<{ rotations: Array<{ username: string | null }> }>(
    `${server.httpUrl}/api/teams/${teamId}/oncall`,
    nurseToken,
  );
  return answer.body.rotations[0]?.username ?? null;
}

beforeAll(async () => {
  push = await startPushService();
  ({ server, adminToken, nurseToken } = await startPagingServer());
  await createUser(server.httpUrl, adminToken, BEN);
  const team = await server.care.createTeam(
    { name: 'Oncall North', timeZone: 'Europe/London', members: [PAGED_NURSE.username, BEN.username] },
    'oncall-test',
  );
  teamId = team.id;
  // Ben alone on the rota: he is on call whenever the test runs, until the nurse takes his shift.
  const rota = await putJson(
    `${server.httpUrl}/api/teams/${teamId}/rotations`,
    [
      {
        name: 'Primary',
        shift: 'daily',
        handoffTime: '07:00',
        startDate: londonDate(-3),
        members: [BEN.username],
      },
    ],
    adminToken,
  );
  expect(rota.status).toBe(200);
  // The nurse's phone as the stand-in push service knows it (headless Chromium cannot subscribe itself).
  const device = await postJson(
    `${server.httpUrl}/api/me/devices`,
    { endpoint: `${push.origin}/wpush/oncall-test`, keys: keys.keys, label: DEVICE_LABEL },
    nurseToken,
  );
  expect(device.status).toBe(201);

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.httpUrl);
  await page.getByLabel('Username').fill(PAGED_NURSE.username);
  await page.getByLabel('Password').fill(PAGED_NURSE.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('body[data-view="console"]').waitFor({ timeout: 10_000 });
  await waitForLive(page);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await push?.close();
});

describe('on-call views', () => {
  it('the header says who is on call for the nurse’s team, until the next handoff', async () => {
    expect(await onCallNow()).toBe(BEN.username);
    const line = page.getByTestId('oncall-now');
    await expect
      .poll(() => line.textContent(), { timeout: 10_000 })
      .toMatch(new RegExp(`^On call: ${BEN.username} \\(until (\\w{3} )?07:00\\)$`));
    expect(await line.getByRole('link').getAttribute('href')).toBe(`#/teams/${teamId}/oncall`);
  });

  it('the rota page lists the shifts, and "I take this shift" puts the nurse on call', async () => {
    await page.getByTestId('oncall-now').getByRole('link').click();
    const rotation = page.getByTestId('rotation').filter({ hasText: 'Primary' });
    await expect
      .poll(() => rotation.getByTestId('rota-now').textContent(), { timeout: 10_000 })
      .toMatch(new RegExp(`^Now: ${BEN.username} \\(until`));
    // Now and the next shifts, each Ben's, each with the nurse's "I take this shift".
    await expect
      .poll(() => rotation.getByTestId('shift').count(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3);
    expect(await rotation.getByTestId('shift').first().textContent()).toContain(`: ${BEN.username}`);
    // A nurse is no rota editor: no editor for her.
    expect(await page.locator('form[data-form="rota"]').count()).toBe(0);

    await rotation.getByTestId('shift').first().getByTestId('take-shift').click();
    await expect
      .poll(() => rotation.getByTestId('rota-now').textContent(), { timeout: 10_000 })
      .toMatch(new RegExp(`^Now: ${PAGED_NURSE.username} \\(until .*covering for ${BEN.username}\\)$`));
    expect(await onCallNow()).toBe(PAGED_NURSE.username);
    await expect
      .poll(() => page.getByTestId('oncall-now').textContent(), { timeout: 10_000 })
      .toContain(`On call: ${PAGED_NURSE.username} (until`);
    const override = page.getByTestId('override-row');
    expect(await override.count()).toBe(1);
    expect(await override.textContent()).toContain(`${PAGED_NURSE.username} covers for ${BEN.username}`);
    await page.screenshot({ path: screenshotPath('oncall-rota') });
  });

  it('"Send me a test alert" shows each receipt', async () => {
    await goTo('#/me/devices');
    const row = page.getByTestId('device-row');
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    expect(await row.textContent()).toContain(DEVICE_LABEL);
    const before = push.requests.length;
    await page.getByTestId('test-page-button').click();
    const receipt = page.getByTestId('test-receipt').filter({ hasText: DEVICE_LABEL });
    await receipt.waitFor({ timeout: 15_000 });
    expect(await receipt.textContent()).toBe(`Push to ${DEVICE_LABEL}: sent (201)`);
    expect(await receipt.getAttribute('data-status')).toBe('sent');
    expect(await page.getByTestId('test-summary').textContent()).toMatch(/^Test alert: 1 sent/);
    // It went out as a real page does: encrypted to this device's keys, a test naming no patient.
    const request = push.requests[before];
    expect(request).toBeDefined();
    const payload = decryptPush(request?.body ?? Buffer.alloc(0), keys) as { reason: string; title: string };
    expect(payload.reason).toBe('test');

    // A bad SMS number is refused next to its field, nothing sent.
    await page.getByLabel('SMS number').fill('07700 900123');
    await page.getByRole('button', { name: 'Save' }).click();
    const smsError = page.locator('[data-testid="field-error"][data-field="smsNumber"]');
    await smsError.waitFor({ timeout: 5_000 });
    expect(await smsError.textContent()).toContain('E.164');
    const contact = await getJson<{ smsNumber: string | null }>(
      `${server.httpUrl}/api/me/contact`,
      nurseToken,
    );
    expect(contact.body.smsNumber).toBeNull();
    await page.screenshot({ path: screenshotPath('oncall-devices') });
  });

  it("an alert's page shows its escalation path and receipts in words", async () => {
    const alert = await raiseOcclusionOnTeam('PUMP-OC1');
    // The page to whoever is on call (the nurse, by her override) goes out at once, to her device.
    const request = await waitFor(
      () =>
        push.requests.find((r) => {
          const body = decryptPush(r.body, keys) as { alertId: string };
          return body.alertId === alert.id;
        }),
      { timeoutMs: 15_000, what: 'the page of the alert' },
    );
    const payload = decryptPush(request.body, keys) as { ackToken: string };
    // The phone reports it shown, as the service worker does.
    const shown = await fetch(`${server.httpUrl}/api/push/receipts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ alertId: alert.id, event: 'displayed', ackToken: payload.ackToken }),
    });
    expect(shown.status).toBe(204);

    await goTo('#/');
    const link = page
      .locator(`[data-testid="alert-row"][data-alert-id="${alert.id}"]`)
      .getByTestId('alert-details-link');
    await link.click();
    await page.locator('body[data-route="alert"]').waitFor({ timeout: 5_000 });
    const lines = page.getByTestId('receipt-line');
    const pushLine = lines.filter({ hasText: `push to ${PAGED_NURSE.username} (${DEVICE_LABEL})` });
    await expect
      .poll(() => pushLine.textContent(), { timeout: 15_000 })
      .toMatch(
        /^push to paged-nurse \(Chromium test phone\) \d\d:\d\d:\d\d sent \(201\), shown \d\d:\d\d:\d\d$/,
      );
    expect(await lines.filter({ hasText: `paging ${PAGED_NURSE.username} (step 1)` }).count()).toBe(1);
    await expect
      .poll(() => page.getByTestId('paging-state').textContent(), { timeout: 10_000 })
      .toMatch(/^Paging: next page \d\d:\d\d:\d\d/);
    const steps = page.getByTestId('paging-step');
    expect(await steps.count()).toBeGreaterThanOrEqual(1);
    expect(await steps.first().textContent()).toContain(PAGED_NURSE.username);
    await page.screenshot({ path: screenshotPath('oncall-alert') });
  });

  it('on a 375×667 phone the on-call line stays one line and the worst alert stays above the fold', async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 667 }, isMobile: true });
    try {
      await phone.goto(server.httpUrl);
      await phone.getByLabel('Username').fill(PAGED_NURSE.username);
      await phone.getByLabel('Password').fill(PAGED_NURSE.password);
      await phone.getByRole('button', { name: 'Log in' }).click();
      await waitForLive(phone);
      const line = phone.getByTestId('oncall-now');
      await expect
        .poll(() => line.textContent(), { timeout: 10_000 })
        .toContain(`On call: ${PAGED_NURSE.username}`);
      const lineBox = await line.boundingBox();
      expect(lineBox?.height ?? 0).toBeLessThanOrEqual(24);
      const first = phone.getByTestId('alert-row').first();
      await first.waitFor({ timeout: 10_000 });
      expect(await first.getAttribute('data-priority')).toBe('high');
      const box = await first.boundingBox();
      expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(667);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await phone.screenshot({ path: screenshotPath('oncall-phone') });
    } finally {
      await phone.close();
    }
  });
});

/** A patient of the on-call team on pump `pumpId`, and a downstream occlusion raised from a sample. */
async function raiseOcclusionOnTeam(pumpId: string): Promise<Alert> {
  const by = 'oncall-test';
  const patient = await server.care.createPatient(
    { displayName: 'Quentin Marlowe', birthDate: '1948-07-02', teamId },
    by,
  );
  const therapy = await server.care.createTherapy(
    patient.id,
    {
      drug: 'Ceftriaxone',
      dose: '2 g',
      order: { rate_mL_h: 50, vtbi_mL: 100, tolerance_pct: 10 },
      schedule: { kind: 'continuous' },
      startDate: londonDate(-2),
    },
    by,
  );
  await server.care.assign(pumpId, therapy.id, by, Date.now() - 60_000);
  // A whole TelemetrySample, `v` included: the pump's latest sample goes out in every snapshot frame.
  server.ward.onSample('oncall-hub', pumpId, {
    ...hubSample(1),
    seq: 1,
    ts: Date.now(),
    alarms: ['occlusion'],
    state: 'stopped',
  } as Parameters<PumpwatchServer['ward']['onSample']>[2]);
  const alerts = await server.ward.listAlerts(undefined);
  const alert = alerts.find((a) => a.pumpId === pumpId && a.rule === 'occlusion_downstream');
  if (!alert) throw new Error(`no occlusion alert for ${pumpId}`);
  return alert;
}
