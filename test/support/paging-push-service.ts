import { createECDH, createPublicKey, randomBytes, verify } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import {
  type PumpwatchServer,
  parseServerConfig,
  type ServerConfigInput,
  startPumpwatchServer,
} from '@pumpwatch/server';
import { decrypt } from 'http_ece';
import { pino } from 'pino';
import { hubSample } from './samples.js';
import { AUTH_REQUIRED_UNLIMITED, createUser, login, TEST_ADMIN, tempDataDir } from './server-harness.js';

/** A request the stand-in push service received. */
export interface PushRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A stand-in for a push service (FCM, Mozilla autopush…) on loopback: none of those is reachable here.
 * It answers each POST with `status` (201 as a real one does) and keeps the request for the test.
 */
export async function startPushService() {
  const requests: PushRequest[] = [];
  let status = 201;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    answer(next: number) {
      status = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The browser's half of a subscription, made by the test: P-256 key pair and 16-byte auth secret. */
export function subscriberKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    ecdh,
    auth,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
  };
}

/** Decrypts an aes128gcm push body (RFC 8291) with `http_ece`, independently of the server's library. */
export function decryptPush(body: Buffer, keys: ReturnType<typeof subscriberKeys>): unknown {
  const plain = decrypt(body, {
    version: 'aes128gcm',
    privateKey: keys.ecdh,
    authSecret: keys.auth.toString('base64url'),
  });
  return JSON.parse(plain.toString('utf8'));
}

/**
 * Checks `Authorization: vapid t=<JWT>, k=<public key>` (RFC 8292) by hand: the JWT is ES256 over
 * `header.payload`, verified with node:crypto against the key in `k`. Returns the JWT's claims and `k`.
 */
export function verifyVapid(authorization: string | undefined): {
  header: Record<string, unknown>;
  claims: { aud: string; exp: number; sub: string };
  k: string;
} {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(authorization ?? '');
  if (!match) throw new Error(`not a VAPID authorization header: ${authorization}`);
  const [, jwt = '', k = ''] = match;
  const [header = '', payload = '', signature = ''] = jwt.split('.');
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  const valid = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!valid) throw new Error('the VAPID JWT signature does not verify with k');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
    k,
  };
}

export const PAGED_NURSE = {
  username: 'paged-nurse',
  password: 'lighthouse saxophone marmalade',
  role: 'nurse',
} as const;

/**
 * A real server (authentication required) that accepts loopback push endpoints, with a nurse logged in.
 * `paging` adds to the config's `paging` section (email, SMS gateway).
 */
export async function startPagingServer(paging: NonNullable<ServerConfigInput['paging']> = {}) {
  const config = parseServerConfig({
    http: { host: '127.0.0.1', port: 0 },
    mqtt: { embeddedHost: '127.0.0.1', embeddedPort: 0 },
    dataDir: tempDataDir(),
    auth: AUTH_REQUIRED_UNLIMITED,
    logLevel: 'warn',
    paging: {
      ...paging,
      push: { allowLoopbackEndpoints: true, subject: 'mailto:oncall@example.org', ...paging.push },
    },
  });
  const server: PumpwatchServer = await startPumpwatchServer(config, {
    logger: pino({ level: process.env.PUMPWATCH_TEST_LOG ?? 'warn' }),
  });
  const adminToken = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
  await createUser(server.httpUrl, adminToken, PAGED_NURSE);
  const nurseToken = await login(server.httpUrl, PAGED_NURSE.username, PAGED_NURSE.password);
  return { server, adminToken, nurseToken };
}

/**
 * Puts pump `pumpId` on a fictional patient's therapy and raises a downstream occlusion from a sample
 * (the ward's real path), returning the alert as the ward holds it, with its care snapshot.
 */
export async function raiseOcclusionForPatient(server: PumpwatchServer, pumpId: string) {
  const by = 'paging-test';
  const team = await server.care.createTeam(
    { name: `Team ${pumpId}`, timeZone: 'Europe/London', members: [] },
    by,
  );
  const patient = await server.care.createPatient(
    { displayName: 'Zelda Quillfeather', birthDate: '1951-03-14', teamId: team.id },
    by,
  );
  const therapy = await server.care.createTherapy(
    patient.id,
    {
      drug: 'Vancomycin',
      dose: '1 g',
      order: { rate_mL_h: 50, vtbi_mL: 100, tolerance_pct: 10 },
      schedule: { kind: 'continuous' },
      startDate: '2026-01-01',
    },
    by,
  );
  await server.care.assign(pumpId, therapy.id, by, Date.now() - 60_000);
  server.ward.onSample('paging-hub', pumpId, {
    ...(hubSampleFields() as object),
    seq: 1,
    ts: Date.now(),
    alarms: ['occlusion'],
    state: 'stopped',
  } as Parameters<PumpwatchServer['ward']['onSample']>[2]);
  const alerts = await server.ward.listAlerts(undefined);
  const alert = alerts.find(
    (candidate) => candidate.pumpId === pumpId && candidate.rule === 'occlusion_downstream',
  );
  if (!alert) throw new Error(`no occlusion alert for ${pumpId}: ${alerts.map((a) => a.rule).join(', ')}`);
  return alert;
}

function hubSampleFields(): Record<string, unknown> {
  // A whole sample, `v` included: the pump's latest sample goes into every snapshot frame.
  return { ...hubSample(1) };
}
