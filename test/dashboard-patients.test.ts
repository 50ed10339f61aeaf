import type { Gateway } from '@pumpwatch/gateway';
import type { PumpwatchServer } from '@pumpwatch/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRow, launchChromium, screenshotPath, waitForLive } from './support/browser.js';
import { startTestGateway } from './support/gateway-harness.js';
import {
  AUTH_REQUIRED_UNLIMITED,
  getJson,
  login,
  postJson,
  registerHub,
  startTestServer,
  TEST_ADMIN,
} from './support/server-harness.js';

/**
 * Issue 13, the dashboard's care views, in Debian's Chromium against the real server (authentication
 * required) and a real gateway: the alert names its patient within seconds of the fault; a coordinator
 * creates a patient and a therapy and assigns a pump through the forms (a bad field is refused next to
 * itself and nothing is sent); the patient page has tap-to-call links for a nurse and none for a viewer;
 * on a 375×667 phone the worst alert is above the fold; delivered rate shows a number; no card claims
 * "Online" while its hub is offline.
 */

type Role = 'viewer' | 'nurse' | 'coordinator';
const PASSWORD = 'care-password-1';
const USERS: Record<Role, string> = { viewer: 'vera', nurse: 'nina', coordinator: 'cora' };
const ONSET_MS = 6_000;
/** The same bound as test/dashboard-console.test.ts: "within a few seconds of the onset". */
const MAX_ALERT_DELAY_MS = 5_000;

async function logIn(browser: Browser, url: string, role: Role, viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage({ viewport, ...(viewport.width < 560 ? { isMobile: true } : {}) });
  await page.goto(url);
  await page.getByLabel('Username').fill(USERS[role]);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('body[data-view="console"]').waitFor({ timeout: 10_000 });
  await waitForLive(page);
  return page;
}

/** A date `days` from today in the team's zone (Europe/London), as `YYYY-MM-DD`. */
const londonDate = (days: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(Date.now() + days * 86_400_000);

const goTo = (page: Page, hash: string) =>
  page.evaluate((h) => {
    location.hash = h;
  }, hash);

describe('care views: patient page, caseload, forms, phone', () => {
  let server: PumpwatchServer;
  let gateway: Gateway | undefined;
  let browser: Browser;
  let admin: string;
  let teamId: string;
  let patientId: string;
  let nurse: Page;
  let phone: Page;
  let onsetAt = 0;

  beforeAll(async () => {
    server = await startTestServer({ auth: AUTH_REQUIRED_UNLIMITED });
    admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    for (const [role, username] of Object.entries(USERS)) {
      const created = await postJson(
        `${server.httpUrl}/api/users`,
        { username, password: PASSWORD, role },
        admin,
      );
      expect(created.status).toBe(201);
    }
    const team = await postJson<{ id: string }>(
      `${server.httpUrl}/api/teams`,
      { name: 'North team', timeZone: 'Europe/London', members: Object.values(USERS) },
      admin,
    );
    teamId = team.body.id;
    const patient = await postJson<{ id: string }>(
      `${server.httpUrl}/api/patients`,
      {
        displayName: 'Ana Silva',
        birthDate: '1948-05-17',
        teamId,
        phones: [{ label: 'home', number: '+44 20 7946 0100' }],
        caregivers: [{ name: 'Rui Silva', relation: 'son', phone: '+44 20 7946 0101' }],
        accessLine: { type: 'picc', insertedOn: '2026-11-30' },
        allergies: 'Penicillin',
      },
      admin,
    );
    expect(patient.status).toBe(201);
    patientId = patient.body.id;
    const therapy = await postJson<{ id: string }>(
      `${server.httpUrl}/api/patients/${patientId}/therapies`,
      {
        drug: 'Vancomycin',
        dose: '1 g every 12 h',
        order: { rate_mL_h: 250, vtbi_mL: 1000 },
        schedule: {
          kind: 'intermittent',
          everyHours: 12,
          durationMin: 120,
          firstDoseAt: Date.now() - 3_600_000,
        },
        startDate: londonDate(-3),
        endDate: londonDate(10),
      },
      admin,
    );
    const assigned = await fetch(`${server.httpUrl}/api/pumps/PUMP-P-OCC/assignment`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ therapyId: therapy.body.id }),
    });
    expect(assigned.status).toBe(200);
    const hub = await registerHub(server.httpUrl, admin, 'hub-care');

    browser = await launchChromium();
    nurse = await logIn(browser, `${server.httpUrl}/`, 'nurse');
    phone = await logIn(browser, `${server.httpUrl}/`, 'nurse', { width: 375, height: 667 });
    const startedAt = Date.now();
    gateway = await startTestGateway(server.mqttUrl, {
      hubId: 'hub-care',
      mqtt: { username: hub.username, password: hub.password },
      simulation: { speed: 1, intervalMs: 250 },
      pumps: [
        {
          pumpId: 'PUMP-P-OCC',
          driver: 'simulated',
          scenario: 'occlusion',
          rate_mL_h: 250,
          onsetMs: ONSET_MS,
        },
        { pumpId: 'PUMP-P-OK', driver: 'simulated', scenario: 'normal', rate_mL_h: 100 },
      ],
    });
    // The simulated pumps start inside gateway.start(): the true onset is at or after this instant.
    onsetAt = startedAt + ONSET_MS;
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await server?.stop();
  });

  it("shows the patient's name on the alert within seconds of the fault's onset", async () => {
    const row = alertRow(nurse, 'PUMP-P-OCC', 'Downstream occlusion');
    await row.waitFor({ timeout: ONSET_MS + 15_000 });
    const seenAt = Date.now();
    expect(seenAt - onsetAt).toBeLessThan(MAX_ALERT_DELAY_MS);
    expect(await row.getByTestId('alert-patient').textContent()).toBe('Ana Silva');
    expect(await row.getByTestId('alert-patient').getAttribute('data-assigned')).toBe('true');
    // Drug, then the therapy's day and next dose, then the pump (smaller).
    expect(await row.locator('.alert-drug').textContent()).toBe('Vancomycin');
    await expect
      .poll(() => row.getByTestId('therapy-line').textContent(), { timeout: 5_000 })
      .toMatch(/^Day 4 of 14 · /);
    const card = nurse.locator('[data-testid="pump-card"][data-pump-id="PUMP-P-OCC"]');
    expect(await card.getByTestId('pump-patient').textContent()).toBe('Ana Silva');
    expect(await card.getByTestId('therapy-line').textContent()).toMatch(/Day 4 of 14/);
  });

  it('on a 375×667 phone the worst alert and its patient are above the fold', async () => {
    const first = phone.getByTestId('alert-row').first();
    await alertRow(phone, 'PUMP-P-OCC', 'Downstream occlusion').waitFor({ timeout: 10_000 });
    expect(await first.getAttribute('data-priority')).toBe('high');
    expect(await first.getByTestId('alert-patient').textContent()).toBe('Ana Silva');
    const box = await first.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(667);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await phone.screenshot({ path: screenshotPath('patients-phone'), fullPage: false });
  });

  it("the nurse's patient page has tap-to-call links, therapies, the live pump and the alert history", async () => {
    await alertRow(nurse, 'PUMP-P-OCC', 'Downstream occlusion')
      .getByRole('link', { name: 'Ana Silva' })
      .click();
    const page = nurse.getByTestId('care-page');
    await expect
      .poll(() => nurse.locator('#care-heading').textContent(), { timeout: 5_000 })
      .toBe('Ana Silva');
    const tel = page.locator('a[href^="tel:"]');
    await expect.poll(() => tel.count(), { timeout: 5_000 }).toBe(2);
    expect(await tel.first().getAttribute('href')).toBe('tel:+442079460100');
    expect(await tel.nth(1).getAttribute('href')).toBe('tel:+442079460101');
    expect(await page.textContent()).toContain('Penicillin');
    expect(await page.textContent()).toContain('PICC');
    expect(await page.locator('.therapy').first().textContent()).toContain('Vancomycin');
    const pumpCard = page.locator('[data-testid="patient-pump"][data-pump-id="PUMP-P-OCC"]');
    await pumpCard.waitFor({ timeout: 5_000 });
    expect(await pumpCard.locator('a.pump-link').getAttribute('href')).toBe('#/pumps/PUMP-P-OCC');
    await expect.poll(() => page.getByTestId('patient-alert').count(), { timeout: 5_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('patient-alert').first().textContent()).toContain(
      'Active — not acknowledged',
    );
    // The inbox stays beside (or below) the page: a new alert is never hidden by it.
    expect(await nurse.getByTestId('alert-row').count()).toBeGreaterThan(0);

    // On the phone: the page first, numbers big enough to tap, nothing sideways.
    await goTo(phone, `#/patients/${patientId}`);
    await expect
      .poll(() => phone.locator('#care-heading').textContent(), { timeout: 5_000 })
      .toBe('Ana Silva');
    const call = phone.getByTestId('patient-phone').first();
    await call.waitFor({ timeout: 5_000 });
    expect((await call.boundingBox())?.height).toBeGreaterThanOrEqual(44);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await phone.screenshot({ path: screenshotPath('patients-phone-page'), fullPage: false });
  });

  it('a viewer sees the patient page without contact details, and is told why', async () => {
    const viewer = await logIn(browser, `${server.httpUrl}/`, 'viewer');
    await goTo(viewer, `#/patients/${patientId}`);
    await expect.poll(() => viewer.locator('#care-heading').textContent(), { timeout: 5_000 }).toBe('A. S.');
    await viewer.getByTestId('patient-redacted').waitFor({ timeout: 5_000 });
    expect(await viewer.getByTestId('patient-redacted').textContent()).toContain('no contact details');
    expect(await viewer.locator('a[href^="tel:"]').count()).toBe(0);
    expect(await viewer.getByTestId('care-page').textContent()).not.toContain('Penicillin');
    // Viewers get no forms.
    expect(await viewer.locator('form[data-form="therapy"]').isVisible()).toBe(false);
    await viewer.close();
  });

  it('a coordinator creates a patient and a therapy and assigns a pump through the forms', async () => {
    const coord = await logIn(browser, `${server.httpUrl}/`, 'coordinator');
    const sent: string[] = [];
    coord.on('request', (r) => {
      if (r.method() !== 'GET') sent.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    await coord.getByRole('link', { name: 'Patients', exact: true }).click();
    await coord.getByTestId('caseload-row').first().waitFor({ timeout: 5_000 });
    const patientForm = coord.locator('form[data-form="patient"]');
    await patientForm.locator('[name="displayName"]').fill('Bea Test');
    await patientForm.locator('[name="birthDate"]').fill('1950-02-03');
    await patientForm.locator('[name="teamId"]').selectOption(teamId);
    await patientForm.locator('[name="phone"]').fill('call me');
    await patientForm.getByRole('button', { name: 'Create patient' }).click();
    const phoneError = patientForm.locator('[data-testid="field-error"][data-field="phone"]');
    await phoneError.waitFor({ timeout: 5_000 });
    expect(await phoneError.textContent()).toContain('phone number');
    expect(await patientForm.locator('[name="phone"]').getAttribute('aria-invalid')).toBe('true');
    expect(await patientForm.locator('[data-testid="field-error"]:visible').count()).toBe(1);
    // Nothing sent, nothing stored.
    expect(sent).toEqual([]);
    const before = await getJson<unknown[]>(`${server.httpUrl}/api/patients`, admin);
    expect(before.body).toHaveLength(1);

    await patientForm.locator('[name="phone"]').fill('+44 20 7946 0999');
    await patientForm.getByRole('button', { name: 'Create patient' }).click();
    await expect
      .poll(() => patientForm.getByTestId('form-done').textContent(), { timeout: 5_000 })
      .toBe('Patient Bea Test created.');
    expect(sent).toEqual(['POST /api/patients']);
    await coord.getByTestId('caseload-row').filter({ hasText: 'Bea Test' }).getByRole('link').click();
    await expect
      .poll(() => coord.locator('#care-heading').textContent(), { timeout: 5_000 })
      .toBe('Bea Test');

    const therapyForm = coord.locator('form[data-form="therapy"]');
    await therapyForm.locator('[name="drug"]').fill('Ertapenem');
    await therapyForm.locator('[name="dose"]').fill('1 g daily');
    await therapyForm.locator('[name="vtbi_mL"]').fill('100');
    await therapyForm.locator('[name="startDate"]').fill(londonDate(0));
    await therapyForm.getByRole('button', { name: 'Add therapy' }).click();
    const rateError = therapyForm.locator('[data-testid="field-error"][data-field="rate_mL_h"]');
    await rateError.waitFor({ timeout: 5_000 });
    expect(await rateError.textContent()).toBe('Required');
    expect(sent).toEqual(['POST /api/patients']);
    await therapyForm.locator('[name="rate_mL_h"]').fill('100');
    await therapyForm.getByRole('button', { name: 'Add therapy' }).click();
    await expect
      .poll(() => therapyForm.getByTestId('form-done').textContent(), { timeout: 5_000 })
      .toBe('Therapy Ertapenem added.');
    expect(await rateError.isVisible()).toBe(false);

    const assignForm = coord.locator('form[data-form="assignment"]');
    await expect
      .poll(() => assignForm.locator('[name="therapyId"] option').count(), { timeout: 5_000 })
      .toBe(2);
    await assignForm.locator('[name="pumpId"]').selectOption('PUMP-P-OK');
    await assignForm.locator('[name="therapyId"]').selectOption({ index: 1 });
    await assignForm.getByRole('button', { name: 'Assign pump' }).click();
    await expect
      .poll(() => assignForm.getByTestId('form-done').textContent(), { timeout: 5_000 })
      .toBe('Pump PUMP-P-OK assigned.');
    const assignment = await getJson<{ current: { therapyId: string; patientId: string } | null }>(
      `${server.httpUrl}/api/pumps/PUMP-P-OK/assignment`,
      admin,
    );
    expect(assignment.body.current?.patientId).not.toBe(patientId);
    expect(assignment.body.current?.patientId).toMatch(/^pat_/);
    // The pump's card on this page and in the grid now names the new patient (from the socket's pump view).
    await coord
      .locator('[data-testid="patient-pump"][data-pump-id="PUMP-P-OK"]')
      .waitFor({ timeout: 10_000 });
    await coord.screenshot({ path: screenshotPath('patients-coordinator'), fullPage: true });
    await coord.close();
  });

  it("a card's delivered rate shows a number once enough samples have come", async () => {
    await goTo(nurse, '#/');
    const delivered = nurse.locator(
      '[data-testid="pump-card"][data-pump-id="PUMP-P-OK"] [data-field="delivered"]',
    );
    await expect.poll(() => delivered.textContent(), { timeout: 20_000 }).toMatch(/^\d+(\.\d+)? mL\/h/);
  });

  it('no card says Online while its hub is offline', async () => {
    await gateway?.stop();
    gateway = undefined;
    await expect
      .poll(() => nurse.locator('[data-testid="pump-card"][data-connectivity="hub-offline"]').count(), {
        timeout: 20_000,
      })
      .toBe(2);
    expect(await nurse.locator('[data-testid="pump-card"][data-online="true"]').count()).toBe(0);
    for (const text of await nurse.getByTestId('pump-card').locator('.connectivity').allTextContents())
      expect(text).not.toBe('Online');
  });
});
