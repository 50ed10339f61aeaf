import { telemetryTopic } from '@pumpwatch/protocol';
import { type PumpwatchServer, parseServerConfig, startPumpwatchServer } from '@pumpwatch/server';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubSample } from './support/samples.js';
import { AUTH_REQUIRED_UNLIMITED, TEST_ADMIN, tempDataDir } from './support/server-harness.js';
import { waitFor } from './support/wait.js';

/**
 * Every route of a real server (authentication required, /metrics on the API port) called at least
 * once, and each real answer checked with ajv against the schema `GET /api/openapi.json` gives for that
 * route and status: a status the document does not list, a field it does not allow, an error code it
 * does not name for that status all fail here.
 */

type Json = Record<string, unknown>;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema: Json }> }>;
}

const METRICS_TOKEN = 'm'.repeat(40);
const HUB = 'hub-openapi';
const NURSE = { username: 'nina', password: 'nina-password-1', role: 'nurse' };
const VIEWER = { username: 'vera', password: 'vera-password-1', role: 'viewer' };

/** The document's spelling of a fastify route path. */
const documentPath = (route: string) => route.replace(/:(\w+)/g, '{$1}').replace(/\/\*$/, '/{file}');

describe('real responses of every route match the OpenAPI document', () => {
  let server: PumpwatchServer;
  let document: { openapi: string; paths: Record<string, Record<string, Operation>>; components: Json };
  // Formats (date, email, uri) are not checked: ajv-formats is not a dependency; zod checks them server-side.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();
  const called = new Set<string>();
  const mismatches: string[] = [];
  const tokens: Record<string, string> = {};

  /**
   * Calls `route` (fastify's pattern, e.g. `/api/pumps/:pumpId`) at `url`, checks the answer against
   * the document and returns it. `expectStatus` guards the test's own flow: a wrong setup fails loudly.
   */
  async function call(
    method: string,
    route: string,
    url: string,
    options: { as?: string; body?: unknown; bearer?: string; expectStatus?: number } = {},
  ): Promise<{ status: number; body: unknown }> {
    const bearer = options.bearer ?? (options.as ? tokens[options.as] : undefined);
    const response = await fetch(`${server.httpUrl}${url}`, {
      method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    const body: unknown = contentType.includes('application/json') && text ? JSON.parse(text) : text;
    called.add(`${method} ${route}`);
    const where = `${method} ${url} → ${response.status}`;
    const answer =
      document.paths[documentPath(route)]?.[method.toLowerCase()]?.responses[String(response.status)];
    if (!answer) mismatches.push(`${where}: status not in the document`);
    else if (answer.content === undefined) {
      if (text !== '') mismatches.push(`${where}: the document says no body, got ${text.slice(0, 80)}`);
    } else {
      const [mediaType, media] = Object.entries(answer.content)[0] ?? [];
      if (mediaType === 'application/json') {
        const key = `${method} ${route} ${response.status}`;
        let validate = validators.get(key);
        if (!validate) {
          validate = ajv.compile(media?.schema ?? {});
          validators.set(key, validate);
        }
        if (!validate(body)) mismatches.push(`${where}: ${ajv.errorsText(validate.errors)}`);
      } else if (mediaType !== 'application/octet-stream' && !contentType.startsWith(mediaType ?? '')) {
        mismatches.push(`${where}: content type ${contentType}, the document says ${mediaType}`);
      }
    }
    if (options.expectStatus !== undefined && response.status !== options.expectStatus)
      throw new Error(`${where} (expected ${options.expectStatus}): ${text.slice(0, 300)}`);
    return { status: response.status, body };
  }

  beforeAll(async () => {
    const config = parseServerConfig({
      http: { host: '127.0.0.1', port: 0 },
      mqtt: { embeddedHost: '127.0.0.1', embeddedPort: 0 },
      dataDir: tempDataDir(),
      auth: AUTH_REQUIRED_UNLIMITED,
      metrics: { token: METRICS_TOKEN },
      logLevel: 'warn',
    });
    server = await startPumpwatchServer(config, { logger: pino({ level: 'warn' }) });
    const served = await fetch(`${server.httpUrl}/api/openapi.json`);
    document = (await served.json()) as typeof document;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves a structurally valid OpenAPI 3.1 document whose schemas all compile', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document).toHaveProperty('info.title');
    expect(document).toHaveProperty('components.schemas.ApiError');
    for (const [path, operations] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(operations))
        for (const [status, response] of Object.entries(operation.responses))
          for (const media of Object.values(response.content ?? {}))
            expect(() => ajv.compile(media.schema), `${method} ${path} ${status}`).not.toThrow();
  });

  it('answers every route as documented', { timeout: 50_000 }, async () => {
    // --- Operations, session, users, hubs --------------------------------------------------------
    await call('GET', '/api/health', '/api/health', { expectStatus: 200 });
    await call('GET', '/api/openapi.json', '/api/openapi.json', { expectStatus: 200 });
    await call('GET', '/api/docs', '/api/docs', { expectStatus: 200 });
    await call('GET', '/metrics', '/metrics', { expectStatus: 401 });
    await call('GET', '/metrics', '/metrics', { bearer: METRICS_TOKEN, expectStatus: 200 });
    await call('POST', '/api/login', '/api/login', { body: { username: '' }, expectStatus: 400 });
    await call('POST', '/api/login', '/api/login', {
      body: { username: TEST_ADMIN.username, password: 'wrong-password' },
      expectStatus: 401,
    });
    const login = async (user: { username: string; password: string }) =>
      ((await call('POST', '/api/login', '/api/login', { body: user, expectStatus: 200 })).body as Json)
        .token as string;
    tokens.admin = await login(TEST_ADMIN);
    await call('GET', '/api/me', '/api/me', { expectStatus: 401 });
    await call('GET', '/api/me', '/api/me', { as: 'admin', expectStatus: 200 });
    for (const user of [NURSE, VIEWER])
      await call('POST', '/api/users', '/api/users', { as: 'admin', body: user, expectStatus: 201 });
    await call('POST', '/api/users', '/api/users', { as: 'admin', body: NURSE, expectStatus: 409 });
    tokens.nurse = await login(NURSE);
    tokens.viewer = await login(VIEWER);
    await call('GET', '/api/users', '/api/users', { as: 'viewer', expectStatus: 403 });
    await call('GET', '/api/users', '/api/users', { as: 'admin', expectStatus: 200 });
    const hub = (
      await call('POST', '/api/hubs', '/api/hubs', { as: 'admin', body: { hubId: HUB }, expectStatus: 201 })
    ).body as { username: string; password: string };
    await call('POST', '/api/hubs', '/api/hubs', { as: 'admin', body: { hubId: HUB }, expectStatus: 409 });
    await call('GET', '/api/hubs', '/api/hubs', { as: 'admin', expectStatus: 200 });
    await call('GET', '/api/hubs/mosquitto-config', '/api/hubs/mosquitto-config', {
      as: 'admin',
      expectStatus: 200,
    });
    await call('GET', '/api/audit', '/api/audit?limit=5', { as: 'admin', expectStatus: 200 });
    await call('GET', '/api/audit', '/api/audit?limit=none', { as: 'admin', expectStatus: 400 });

    // --- A pump that reports, with an alarm ------------------------------------------------------
    const client = await mqtt.connectAsync(server.mqttUrl, {
      username: hub.username,
      password: hub.password,
      clientId: `${HUB}:openapi`,
      reconnectPeriod: 0,
    });
    const sample = hubSample(1, { pressure_mmHg: 320, alarms: ['occlusion'] });
    await client.publishAsync(telemetryTopic('pumpwatch/v1', HUB, 'P1'), JSON.stringify(sample), { qos: 1 });
    await client.endAsync();
    await waitFor(
      async () => {
        const alerts = await fetch(`${server.httpUrl}/api/alerts`, {
          headers: { authorization: `Bearer ${tokens.admin}` },
        });
        return ((await alerts.json()) as unknown[]).length > 0;
      },
      { timeoutMs: 10_000, what: 'the occlusion alert' },
    );

    await call('GET', '/api/pumps', '/api/pumps', { as: 'viewer', expectStatus: 200 });
    await call('GET', '/api/pumps/:pumpId', '/api/pumps/P1', { as: 'nurse', expectStatus: 200 });
    await call('GET', '/api/pumps/:pumpId', '/api/pumps/NOPE', { as: 'nurse', expectStatus: 404 });
    await call('GET', '/api/pumps/:pumpId', '/api/pumps/bad%20id', { as: 'nurse', expectStatus: 400 });
    await call('GET', '/api/pumps/:pumpId/samples', '/api/pumps/P1/samples', {
      as: 'viewer',
      expectStatus: 200,
    });
    await call('GET', '/api/pumps/:pumpId/samples', '/api/pumps/P1/samples?step=60000', {
      as: 'viewer',
      expectStatus: 200,
    });
    await call('GET', '/api/pumps/:pumpId/samples', '/api/pumps/P1/samples?from=5&to=1', {
      as: 'viewer',
      expectStatus: 400,
    });
    await call('PUT', '/api/pumps/:pumpId/hub', '/api/pumps/P1/hub', {
      as: 'admin',
      body: { hubId: HUB },
      expectStatus: 200,
    });
    await call('PUT', '/api/pumps/:pumpId/hub', '/api/pumps/P1/hub', {
      as: 'admin',
      body: { hubId: 'no-such-hub' },
      expectStatus: 404,
    });
    await call('PUT', '/api/pumps/:pumpId/hub', '/api/pumps/P1/hub', {
      as: 'viewer',
      body: { hubId: HUB },
      expectStatus: 403,
    });
    await call('GET', '/api/pumps/:pumpId/params', '/api/pumps/P1/params', {
      as: 'viewer',
      expectStatus: 200,
    });
    await call('PUT', '/api/pumps/:pumpId/params', '/api/pumps/P1/params', {
      as: 'admin',
      body: { bogus: 1 },
      expectStatus: 400,
    });
    await call('PUT', '/api/pumps/:pumpId/params', '/api/pumps/P1/params', {
      as: 'admin',
      body: {},
      expectStatus: 200,
    });
    await call('DELETE', '/api/pumps/:pumpId/params', '/api/pumps/P1/params', {
      as: 'admin',
      expectStatus: 204,
    });
    await call('DELETE', '/api/pumps/:pumpId/params', '/api/pumps/P1/params', {
      as: 'admin',
      expectStatus: 404,
    });
    await call('GET', '/api/pumps/:pumpId/order', '/api/pumps/P2/order', { as: 'viewer', expectStatus: 404 });
    const order = { drug: 'saline', rate_mL_h: 50, vtbi_mL: 100 };
    await call('PUT', '/api/pumps/:pumpId/order', '/api/pumps/P2/order', {
      as: 'admin',
      body: order,
      expectStatus: 200,
    });
    await call('GET', '/api/pumps/:pumpId/order', '/api/pumps/P2/order', { as: 'viewer', expectStatus: 200 });
    await call('DELETE', '/api/pumps/:pumpId/order', '/api/pumps/P2/order', {
      as: 'admin',
      expectStatus: 204,
    });

    // --- Alerts ----------------------------------------------------------------------------------
    const alerts = (await call('GET', '/api/alerts', '/api/alerts', { as: 'nurse', expectStatus: 200 }))
      .body as Json[];
    await call('GET', '/api/alerts', '/api/alerts?status=all&pumpId=P1', { as: 'viewer', expectStatus: 200 });
    await call('GET', '/api/alerts', '/api/alerts?status=bogus', { as: 'viewer', expectStatus: 400 });
    const alertId = String(alerts[0]?.id);
    await call('GET', '/api/alerts/:alertId/events', `/api/alerts/${alertId}/events`, {
      as: 'viewer',
      expectStatus: 200,
    });
    await call('GET', '/api/alerts/:alertId/events', '/api/alerts/nope/events', {
      as: 'viewer',
      expectStatus: 404,
    });
    await call('GET', '/api/alerts/:alertId/paging', `/api/alerts/${alertId}/paging`, { as: 'viewer' });
    await call('GET', '/api/alerts/:alertId/paging', '/api/alerts/nope/paging', {
      as: 'viewer',
      expectStatus: 404,
    });
    await call('POST', '/api/alerts/:alertId/snooze', `/api/alerts/${alertId}/snooze`, {
      as: 'nurse',
      body: {},
      expectStatus: 200,
    });
    await call('POST', '/api/alerts/:alertId/ack', `/api/alerts/${alertId}/ack`, {
      as: 'viewer',
      body: {},
      expectStatus: 403,
    });
    await call('POST', '/api/alerts/:alertId/ack', `/api/alerts/${alertId}/ack`, {
      as: 'nurse',
      body: {},
      expectStatus: 200,
    });
    await call('POST', '/api/alerts/:alertId/ack', '/api/alerts/nope/ack', {
      as: 'nurse',
      body: {},
      expectStatus: 404,
    });
    await call('POST', '/api/alerts/:alertId/ack-by-token', `/api/alerts/${alertId}/ack-by-token`, {
      body: { token: 'not-a-token' },
      expectStatus: 401,
    });
    await call('POST', '/api/push/receipts', '/api/push/receipts', { body: {}, expectStatus: 400 });
    await call('POST', '/api/gateway/ack', '/api/gateway/ack', {
      body: { alertId, username: 'nina' },
      expectStatus: 401,
    });

    // --- Care ------------------------------------------------------------------------------------
    const teamBody = { name: 'North', timeZone: 'Europe/Paris', members: ['nina'] };
    const team = (
      await call('POST', '/api/teams', '/api/teams', { as: 'admin', body: teamBody, expectStatus: 201 })
    ).body as { id: string };
    await call('GET', '/api/teams', '/api/teams', { as: 'viewer', expectStatus: 200 });
    await call('GET', '/api/teams/:teamId', `/api/teams/${team.id}`, { as: 'viewer', expectStatus: 200 });
    await call('GET', '/api/teams/:teamId', '/api/teams/nope', { as: 'viewer', expectStatus: 404 });
    await call('PUT', '/api/teams/:teamId', `/api/teams/${team.id}`, {
      as: 'admin',
      body: teamBody,
      expectStatus: 200,
    });
    const patientBody = { displayName: 'Ada Lovelace', birthDate: '1950-12-10', teamId: team.id };
    const patient = (
      await call('POST', '/api/patients', '/api/patients', {
        as: 'admin',
        body: patientBody,
        expectStatus: 201,
      })
    ).body as { id: string };
    await call('POST', '/api/patients', '/api/patients', {
      as: 'admin',
      body: { displayName: '' },
      expectStatus: 400,
    });
    await call('GET', '/api/patients', '/api/patients', { as: 'viewer', expectStatus: 200 });
    await call('GET', '/api/patients/:patientId', `/api/patients/${patient.id}`, {
      as: 'viewer',
      expectStatus: 200,
    });
    await call('GET', '/api/patients/:patientId', `/api/patients/${patient.id}`, {
      as: 'nurse',
      expectStatus: 200,
    });
    await call('GET', '/api/patients/:patientId', '/api/patients/nope', { as: 'nurse', expectStatus: 404 });
    await call('PUT', '/api/patients/:patientId', `/api/patients/${patient.id}`, {
      as: 'admin',
      body: patientBody,
      expectStatus: 200,
    });
    const therapyBody = {
      drug: 'ceftriaxone',
      dose: '2 g',
      order: { rate_mL_h: 50, vtbi_mL: 100 },
      schedule: { kind: 'continuous' },
      startDate: '2026-01-01',
    };
    const therapy = (
      await call('POST', '/api/patients/:patientId/therapies', `/api/patients/${patient.id}/therapies`, {
        as: 'admin',
        body: therapyBody,
        expectStatus: 201,
      })
    ).body as { id: string };
    await call('GET', '/api/patients/:patientId/therapies', `/api/patients/${patient.id}/therapies`, {
      as: 'viewer',
      expectStatus: 200,
    });
    await call('GET', '/api/therapies/:therapyId', `/api/therapies/${therapy.id}`, {
      as: 'viewer',
      expectStatus: 200,
    });
    await call('GET', '/api/therapies/:therapyId', '/api/therapies/nope', {
      as: 'viewer',
      expectStatus: 404,
    });
    await call('PUT', '/api/therapies/:therapyId', `/api/therapies/${therapy.id}`, {
      as: 'admin',
      body: therapyBody,
      expectStatus: 200,
    });
    await call('PUT', '/api/pumps/:pumpId/assignment', '/api/pumps/P1/assignment', {
      as: 'admin',
      body: { therapyId: therapy.id },
      expectStatus: 200,
    });
    await call('GET', '/api/pumps/:pumpId/assignment', '/api/pumps/P1/assignment', {
      as: 'viewer',
      expectStatus: 200,
    });
    await call('DELETE', '/api/pumps/:pumpId/order', '/api/pumps/P1/order', {
      as: 'admin',
      expectStatus: 409,
    });
    await call('DELETE', '/api/pumps/:pumpId/assignment', '/api/pumps/P1/assignment', {
      as: 'admin',
      expectStatus: 200,
    });
    await call('DELETE', '/api/pumps/:pumpId/assignment', '/api/pumps/P1/assignment', {
      as: 'admin',
      expectStatus: 404,
    });
    await call('PUT', '/api/pumps/:pumpId/pause', '/api/pumps/P1/pause', {
      as: 'nurse',
      body: { minutes: 30, reason: 'shower' },
      expectStatus: 201,
    });
    await call('GET', '/api/pumps/:pumpId/pause', '/api/pumps/P1/pause', { as: 'viewer', expectStatus: 200 });
    await call('DELETE', '/api/pumps/:pumpId/pause', '/api/pumps/P1/pause', {
      as: 'nurse',
      expectStatus: 200,
    });
    await call('DELETE', '/api/pumps/:pumpId/pause', '/api/pumps/P1/pause', {
      as: 'nurse',
      expectStatus: 404,
    });

    // --- On call ---------------------------------------------------------------------------------
    const teamPath = `/api/teams/${team.id}`;
    await call('GET', '/api/teams/:teamId/oncall', `${teamPath}/oncall`, { as: 'viewer', expectStatus: 200 });
    await call('GET', '/api/teams/:teamId/oncall', '/api/teams/nope/oncall', {
      as: 'viewer',
      expectStatus: 404,
    });
    const rotation = {
      name: 'Nights',
      shift: 'daily',
      handoffTime: '07:00',
      startDate: '2026-01-01',
      members: ['nina'],
    };
    const rotations = (
      await call('PUT', '/api/teams/:teamId/rotations', `${teamPath}/rotations`, {
        as: 'admin',
        body: [rotation],
        expectStatus: 200,
      })
    ).body as Array<{ id: string }>;
    await call('GET', '/api/teams/:teamId/rotations', `${teamPath}/rotations`, {
      as: 'viewer',
      expectStatus: 200,
    });
    const now = Date.now();
    const overrideBody = { rotationId: rotations[0]?.id, username: 'nina', from: now, to: now + 3600_000 };
    const override = (
      await call('POST', '/api/teams/:teamId/overrides', `${teamPath}/overrides`, {
        as: 'admin',
        body: overrideBody,
        expectStatus: 201,
      })
    ).body as { id: string };
    await call('GET', '/api/teams/:teamId/overrides', `${teamPath}/overrides?all=true`, {
      as: 'viewer',
      expectStatus: 200,
    });
    await call('PUT', '/api/teams/:teamId/overrides/:overrideId', `${teamPath}/overrides/${override.id}`, {
      as: 'admin',
      body: { ...overrideBody, note: 'swap' },
      expectStatus: 200,
    });
    await call('DELETE', '/api/teams/:teamId/overrides/:overrideId', `${teamPath}/overrides/${override.id}`, {
      as: 'admin',
      expectStatus: 200,
    });
    await call('DELETE', '/api/teams/:teamId/overrides/:overrideId', `${teamPath}/overrides/nope`, {
      as: 'admin',
      expectStatus: 404,
    });
    await call('GET', '/api/teams/:teamId/escalation-policy', `${teamPath}/escalation-policy`, {
      as: 'viewer',
      expectStatus: 200,
    });
    await call('PUT', '/api/teams/:teamId/escalation-policy', `${teamPath}/escalation-policy`, {
      as: 'admin',
      body: { steps: [{ targets: [{ kind: 'rotation', rotationId: rotations[0]?.id }] }] },
      expectStatus: 200,
    });
    const feed = (
      await call('POST', '/api/me/oncall-feed-token', '/api/me/oncall-feed-token', {
        as: 'nurse',
        expectStatus: 201,
      })
    ).body as { feedPath: string };
    await call('GET', '/api/oncall/:feed', feed.feedPath, { expectStatus: 200 });
    await call('GET', '/api/oncall/:feed', '/api/oncall/nina.ics?token=wrong', { expectStatus: 401 });
    await call('DELETE', '/api/me/oncall-feed-token', '/api/me/oncall-feed-token', {
      as: 'nurse',
      expectStatus: 204,
    });

    // --- Paging ----------------------------------------------------------------------------------
    await call('GET', '/api/push/vapid-public-key', '/api/push/vapid-public-key', {
      as: 'nurse',
      expectStatus: 200,
    });
    const device = (
      await call('POST', '/api/me/devices', '/api/me/devices', {
        as: 'nurse',
        body: {
          endpoint: 'https://push.example.org/send/abc',
          keys: { p256dh: 'key', auth: 'auth' },
          label: 'phone',
        },
        expectStatus: 201,
      })
    ).body as { id: string };
    await call('GET', '/api/me/devices', '/api/me/devices', { as: 'nurse', expectStatus: 200 });
    await call('DELETE', '/api/me/devices/:deviceId', `/api/me/devices/${device.id}`, {
      as: 'nurse',
      expectStatus: 204,
    });
    await call('DELETE', '/api/me/devices/:deviceId', `/api/me/devices/${device.id}`, {
      as: 'nurse',
      expectStatus: 404,
    });
    await call('GET', '/api/me/contact', '/api/me/contact', { as: 'nurse', expectStatus: 200 });
    await call('PUT', '/api/me/contact', '/api/me/contact', {
      as: 'nurse',
      body: { smsNumber: '+447700900123' },
      expectStatus: 200,
    });
    await call('PUT', '/api/me/contact', '/api/me/contact', {
      as: 'nurse',
      body: { smsNumber: '12' },
      expectStatus: 400,
    });
    // Nina has no device nor email left: the test page answers at once, with no receipt to wait for.
    await call('PUT', '/api/me/contact', '/api/me/contact', { as: 'nurse', body: {}, expectStatus: 200 });
    await call('POST', '/api/me/test-page', '/api/me/test-page', { as: 'nurse', expectStatus: 200 });

    // --- Discharge, users, logout, the dashboard ------------------------------------------------
    await call('POST', '/api/patients/:patientId/discharge', `/api/patients/${patient.id}/discharge`, {
      as: 'admin',
      expectStatus: 200,
    });
    await call('DELETE', '/api/users/:username', '/api/users/test-admin', { as: 'admin', expectStatus: 409 });
    await call('DELETE', '/api/users/:username', '/api/users/nobody', { as: 'admin', expectStatus: 404 });
    await call('DELETE', '/api/users/:username', `/api/users/${VIEWER.username}`, {
      as: 'admin',
      expectStatus: 204,
    });
    await call('POST', '/api/logout', '/api/logout', { as: 'nurse', expectStatus: 200 });
    const routes = server.httpRoutes().map((route) => `${route.method} ${route.url}`);
    if (routes.includes('GET /*')) await call('GET', '/*', '/index.html', { expectStatus: 200 });
    await call('GET', routes.includes('GET /') ? '/' : '/*', '/');

    expect(mismatches).toEqual([]);
    const uncalled = server
      .httpRoutes()
      .filter((route) => route.method !== 'HEAD')
      .map((route) => `${route.method} ${route.url}`)
      .filter((route) => !called.has(route));
    expect(uncalled).toEqual([]);
  });
});
