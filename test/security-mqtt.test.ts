import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Alert, hubCommittedTopic, pumpLinkTopic, telemetryTopic } from '@pumpwatch/protocol';
import {
  type PumpwatchServer,
  parseServerConfig,
  type ServerConfigInput,
  startPumpwatchServer,
} from '@pumpwatch/server';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canConnect, freePort } from './support/ports.js';
import {
  AUTH_REQUIRED,
  createUser,
  getJson,
  login,
  registerHub,
  TEST_ADMIN,
  tempDataDir,
} from './support/server-harness.js';
import { ServerProcess } from './support/server-process.js';
import { sleep, waitFor } from './support/wait.js';

const prefix = 'pumpwatch/v1';

interface Health {
  status: string;
  components: { mqtt: { ok: boolean } };
  ingest: { accepted: number; rejected: Record<string, number> };
  mqttAuth: {
    rejectedConnects: number;
    refusedClientIds: number;
    throttledConnects: number;
    refusedPublishes: number;
  };
  mqttBroker: { oversizedPackets: number; connectTimeouts: number };
}

/** A real server in this process with authentication on and the given MQTT and TLS settings. */
async function startServer(
  options: { dataDir?: string; mqtt?: ServerConfigInput['mqtt']; tls?: ServerConfigInput['tls'] } = {},
) {
  const config = parseServerConfig({
    http: { host: '127.0.0.1', port: 0 },
    mqtt: { embeddedHost: '127.0.0.1', embeddedPort: 0, ...options.mqtt },
    dataDir: options.dataDir ?? tempDataDir(),
    auth: AUTH_REQUIRED,
    logLevel: 'warn',
    ...(options.tls ? { tls: options.tls } : {}),
  });
  return startPumpwatchServer(config, { logger: pino({ level: process.env.PUMPWATCH_TEST_LOG ?? 'warn' }) });
}

async function health(server: { httpUrl: string }): Promise<Health> {
  return (await getJson<Health>(`${server.httpUrl}/api/health`)).body;
}

function sample(seq: number, alarms: string[] = []): string {
  return JSON.stringify({
    v: 1,
    seq,
    ts: Date.now(),
    state: 'infusing',
    rate_mL_h: 5,
    vi_mL: seq,
    pressure_mmHg: alarms.length ? 320 : 40,
    alarms,
  });
}

function encodeLength(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return bytes;
}

/** An MQTT 3.1.1 CONNECT with username and password, written by hand for raw sockets. */
function connectPacket(clientId: string, username: string, password: string): Buffer {
  const text = (value: string) => {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
  };
  const body = Buffer.concat([
    text('MQTT'),
    Buffer.from([4, 0xc2, 0, 60]),
    text(clientId),
    text(username),
    text(password),
  ]);
  return Buffer.concat([Buffer.from([0x10, ...encodeLength(body.length)]), body]);
}

function rawSocket(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with the CONNACK return code, or null if the broker closed the socket without one. */
function connackOf(socket: Socket, timeoutMs = 15_000): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(-1), timeoutMs);
    socket.on('data', (data: Buffer) => {
      if (data[0] === 0x20) {
        clearTimeout(timer);
        resolve(data[3] ?? null);
      }
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(null);
    });
  });
}

/** Milliseconds until the broker closes `socket` (or `timeoutMs` if it never does). */
function closedWithin(socket: Socket, timeoutMs: number): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(timeoutMs), timeoutMs);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - start);
    });
  });
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe('MQTT identities and pump ownership (issue #11)', () => {
  let server: PumpwatchServer;
  let dataDir: string;
  let admin: string;
  let hubA: { password: string };
  let hubB: { password: string };
  const hub = (id: 'hub-a' | 'hub-b', clientId: string = id) =>
    mqtt.connectAsync(server.mqttUrl, {
      username: id,
      password: (id === 'hub-a' ? hubA : hubB).password,
      clientId,
      reconnectPeriod: 0,
    });

  beforeAll(async () => {
    dataDir = tempDataDir();
    server = await startServer({ dataDir });
    admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    hubA = await registerHub(server.httpUrl, admin, 'hub-a');
    hubB = await registerHub(server.httpUrl, admin, 'hub-b');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("refuses another hub's sample and link report for a pump (pump_not_owned), leaving its alert alone", async () => {
    const a = await hub('hub-a');
    await a.publishAsync(telemetryTopic(prefix, 'hub-a', 'PUMP-OWNED'), sample(1, ['occlusion']), { qos: 1 });
    const alert = await waitFor(async () =>
      (await getJson<Alert[]>(`${server.httpUrl}/api/alerts`, admin)).body.find(
        (candidate) => candidate.pumpId === 'PUMP-OWNED',
      ),
    );
    const b = await hub('hub-b');
    // Under its own topics (the broker lets it), with hub-a's pump id and a clean sample that would resolve the alert.
    for (let seq = 2; seq < 6; seq += 1)
      await b.publishAsync(telemetryTopic(prefix, 'hub-b', 'PUMP-OWNED'), sample(seq), { qos: 1 });
    await b.publishAsync(
      pumpLinkTopic(prefix, 'hub-b', 'PUMP-OWNED'),
      JSON.stringify({ state: 'down', ts: Date.now() }),
      { qos: 1 },
    );
    await waitFor(async () => (await health(server)).ingest.rejected.pump_not_owned === 5);
    const pump = (
      await getJson<{ hubId: string; latest: { seq: number }; link: string; alerts: Alert[] }>(
        `${server.httpUrl}/api/pumps/PUMP-OWNED`,
        admin,
      )
    ).body;
    expect(pump.hubId).toBe('hub-a');
    expect(pump.latest.seq).toBe(1);
    expect(pump.link).not.toBe('down');
    expect(pump.alerts.map((open) => open.id)).toContain(alert.id);
    await a.endAsync();
    await b.endAsync();
  });

  it('moves a pump only through PUT /api/pumps/{id}/hub, by an admin, audited with before and after', async () => {
    const nurse = await createUser(server.httpUrl, admin, {
      username: 'nell',
      password: 'nell-long-password-1',
      role: 'nurse',
    });
    const nurseToken = await login(server.httpUrl, nurse.username, nurse.password);
    const put = (token: string, pumpId: string, hubId: string) =>
      fetch(`${server.httpUrl}/api/pumps/${pumpId}/hub`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ hubId }),
      });
    expect((await put(nurseToken, 'PUMP-OWNED', 'hub-b')).status).toBe(403);
    expect((await put(admin, 'PUMP-NEVER-SEEN', 'hub-b')).status).toBe(404);
    expect((await put(admin, 'PUMP-OWNED', 'hub-unregistered')).status).toBe(404);
    const moved = await put(admin, 'PUMP-OWNED', 'hub-b');
    expect(moved.status).toBe(200);
    expect(((await moved.json()) as { hubId: string }).hubId).toBe('hub-b');

    const { body: audit } = await getJson<
      Array<{ action: string; actor: string; before: unknown; after: unknown }>
    >(`${server.httpUrl}/api/audit?action=pump_moved`, admin);
    expect(audit[0]).toMatchObject({
      action: 'pump_moved',
      actor: TEST_ADMIN.username,
      before: { hubId: 'hub-a' },
      after: { hubId: 'hub-b' },
    });

    const b = await hub('hub-b');
    const a = await hub('hub-a');
    const before = await health(server);
    await b.publishAsync(telemetryTopic(prefix, 'hub-b', 'PUMP-OWNED'), sample(1), { qos: 1 });
    await a.publishAsync(telemetryTopic(prefix, 'hub-a', 'PUMP-OWNED'), sample(7), { qos: 1 });
    const after = await waitFor(async () => {
      const now = await health(server);
      return now.ingest.accepted === before.ingest.accepted + 1 &&
        now.ingest.rejected.pump_not_owned === (before.ingest.rejected.pump_not_owned ?? 0) + 1
        ? now
        : undefined;
    });
    expect(after.status).toBe('ok');
    await a.endAsync();
    await b.endAsync();
  });

  it('confirms a hub its own commits only: no hub may forge a watermark or read another hub’s (issue 15)', async () => {
    const before = await health(server);
    const a = await hub('hub-a', 'hub-a:confirm');
    const seen: Array<{ topic: string; payload: string }> = [];
    a.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
    await a.subscribeAsync(hubCommittedTopic(prefix, 'hub-a'), { qos: 1 });
    await a.publishAsync(telemetryTopic(prefix, 'hub-a', 'PUMP-CONFIRM-A'), sample(0), { qos: 1 });
    const own = await waitFor(
      () =>
        seen.find(
          (m) => m.topic === hubCommittedTopic(prefix, 'hub-a') && m.payload.includes('PUMP-CONFIRM-A'),
        ),
      { what: 'the server’s watermark for hub-a' },
    );
    expect(JSON.parse(own.payload).pumps['PUMP-CONFIRM-A']).toEqual({ seq: 0 });

    // A forged watermark is refused at the broker (aedes drops the publisher), and the retained one stays the server's.
    const forger = await hub('hub-a', 'hub-a:forger');
    forger.on('error', () => undefined);
    forger.publish(
      hubCommittedTopic(prefix, 'hub-a'),
      JSON.stringify({ v: 1, run: 'forged', ts: 1, pumps: { 'PUMP-CONFIRM-A': { seq: 999 } } }),
      { qos: 0 },
    );
    await sleep(500);
    await forger.endAsync(true);
    // Another hub's watermarks are not delivered, whatever the subscription.
    await a.subscribeAsync(hubCommittedTopic(prefix, 'hub-b'), { qos: 1 }).catch(() => undefined);
    const b = await hub('hub-b', 'hub-b:confirm');
    await b.publishAsync(telemetryTopic(prefix, 'hub-b', 'PUMP-CONFIRM-B'), sample(0), { qos: 1 });
    await sleep(1000);
    expect(seen.some((m) => m.payload.includes('forged'))).toBe(false);
    expect(seen.some((m) => m.topic === hubCommittedTopic(prefix, 'hub-b'))).toBe(false);
    await a.endAsync();
    await b.endAsync();
    const reader = await hub('hub-a', 'hub-a:reader');
    const retained = new Promise<string>((resolve) =>
      reader.on('message', (_t, payload) => resolve(payload.toString())),
    );
    await reader.subscribeAsync(hubCommittedTopic(prefix, 'hub-a'), { qos: 1 });
    expect(JSON.parse(await retained).run).not.toBe('forged');
    await reader.endAsync();
    const after = await health(server);
    expect(after.mqttAuth.refusedPublishes - before.mqttAuth.refusedPublishes).toBeGreaterThanOrEqual(1);
  });

  it("refuses a hub that connects with the server's client id, and the server keeps ingesting", async () => {
    const file = join(dataDir, 'mqtt-client-id');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const serverId = readFileSync(file, 'utf8').trim();
    expect(serverId).toMatch(/^pumpwatch-server-[0-9a-f]{32}$/);
    const before = await health(server);

    // An insider who read the id from the data directory, with valid hub credentials.
    await expect(hub('hub-a', serverId)).rejects.toThrow(/Not authorized/i);
    // Another hub's id, plain or with a suffix, and the server's own user from the network.
    await expect(hub('hub-a', 'hub-b')).rejects.toThrow(/Not authorized/i);
    await expect(hub('hub-a', 'hub-b:gateway')).rejects.toThrow(/Not authorized/i);
    await expect(hub('hub-a', 'hub-a-b')).rejects.toThrow(/Not authorized/i);
    await expect(
      mqtt.connectAsync(server.mqttUrl, {
        username: 'pumpwatch:server',
        password: 'anything',
        clientId: serverId,
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Not authorized/i);

    const b = await hub('hub-b', 'hub-b:gateway');
    await b.publishAsync(telemetryTopic(prefix, 'hub-b', 'PUMP-AFTER-HIJACK'), sample(1), { qos: 1 });
    await waitFor(
      async () =>
        (await getJson(`${server.httpUrl}/api/pumps/PUMP-AFTER-HIJACK`, admin)).status === 200 || undefined,
      { what: 'hub-b telemetry after the takeover attempts' },
    );
    await b.endAsync();
    const after = await health(server);
    expect(after.components.mqtt.ok).toBe(true);
    expect(after.mqttAuth.refusedClientIds - before.mqttAuth.refusedClientIds).toBe(4);
    expect(after.mqttAuth.rejectedConnects - before.mqttAuth.rejectedConnects).toBe(5);
  });

  it('closes an authenticated 1 MiB publish at the broker, before it reaches ingest', async () => {
    const before = await health(server);
    const a = await hub('hub-a');
    const closed = new Promise<void>((resolve) => a.once('close', () => resolve()));
    a.publish(telemetryTopic(prefix, 'hub-a', 'PUMP-BIG'), Buffer.alloc(1024 * 1024, 0x20), { qos: 0 });
    await Promise.race([closed, sleep(5000).then(() => Promise.reject(new Error('not closed')))]);
    a.end(true);
    await sleep(200);
    const after = await health(server);
    expect(after.mqttBroker.oversizedPackets - before.mqttBroker.oversizedPackets).toBe(1);
    expect(after.ingest.rejected.payload_too_large).toBe(before.ingest.rejected.payload_too_large);
  });

  it('restarts on the same data directory with the same client id and ownership', async () => {
    const id = readFileSync(join(dataDir, 'mqtt-client-id'), 'utf8');
    await server.stop();
    server = await startServer({ dataDir });
    expect(readFileSync(join(dataDir, 'mqtt-client-id'), 'utf8')).toBe(id);
    admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    await waitFor(async () => (await health(server)).components.mqtt.ok);
    const a = await hub('hub-a');
    await a.publishAsync(telemetryTopic(prefix, 'hub-a', 'PUMP-OWNED'), sample(50), { qos: 1 });
    await waitFor(async () => (await health(server)).ingest.rejected.pump_not_owned === 1);
    await a.endAsync();
  });
});

describe('embedded broker limits before authentication (issue #11)', () => {
  let server: PumpwatchServer;
  let port: number;

  beforeAll(async () => {
    server = await startServer({ mqtt: { connectTimeoutMs: 1000 } });
    port = portOf(server.mqttUrl);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('closes a socket that announces a 200 MB CONNECT at its header, and one that trickles it', async () => {
    const whole = await rawSocket(port);
    const wholeClosed = closedWithin(whole, 5000);
    whole.write(Buffer.from([0x10, ...encodeLength(200 * 1024 * 1024)]));
    whole.write(Buffer.alloc(64 * 1024, 0x61));
    expect(await wholeClosed).toBeLessThan(500);

    // The same header a byte every 100 ms: refused at its last length byte, not after a timeout.
    const trickle = await rawSocket(port);
    const trickleStart = performance.now();
    const trickleClosed = closedWithin(trickle, 5000);
    let lastWriteAfter = 0;
    for (const byte of [0x10, ...encodeLength(200 * 1024 * 1024)]) {
      if (trickle.destroyed) break;
      lastWriteAfter = performance.now() - trickleStart;
      trickle.write(Buffer.from([byte]));
      await sleep(100);
    }
    expect(lastWriteAfter).toBeGreaterThanOrEqual(350);
    expect((await trickleClosed) - lastWriteAfter).toBeLessThan(500);
    expect((await health(server)).mqttBroker.oversizedPackets).toBeGreaterThanOrEqual(2);
  });

  it('closes a socket that sends nothing once the connect timeout has passed', async () => {
    const silent = await rawSocket(port);
    const after = await closedWithin(silent, 5000);
    expect(after).toBeGreaterThan(800);
    expect(after).toBeLessThan(2500);
    expect((await health(server)).mqttBroker.connectTimeouts).toBeGreaterThanOrEqual(1);
  });

  it("200 parallel wrong CONNECTs from one address neither cost 200 hashes nor hold up a real hub's first login", async () => {
    const admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    // First logins (not cached): each costs the hub one scrypt verification, as after a server restart.
    const first = async (hubId: string, known?: { password: string }) => {
      const { password } = known ?? (await registerHub(server.httpUrl, admin, hubId));
      const start = performance.now();
      const client = await mqtt.connectAsync(server.mqttUrl, {
        username: hubId,
        password,
        clientId: hubId,
        reconnectPeriod: 0,
      });
      const ms = performance.now() - start;
      await client.endAsync();
      return ms;
    };
    const baseline: number[] = [];
    for (let i = 0; i < 3; i += 1) baseline.push(await first(`hub-base-${i}`));

    const victim = await registerHub(server.httpUrl, admin, 'hub-victim');
    const before = await health(server);
    // 127.0.0.2 is loopback too: the attacker's own address, so its back-off is not the real hub's.
    const attackers = await Promise.all(Array.from({ length: 200 }, () => rawSocket(port, '127.0.0.2')));
    const codes = attackers.map((socket) => connackOf(socket));
    attackers.forEach((socket, i) => {
      socket.write(connectPacket('hub-victim', 'hub-victim', `wrong-${i}`));
    });
    const underAttack = await first('hub-victim', victim);
    const answered = await Promise.all(codes);
    for (const socket of attackers) socket.destroy();
    const after = await health(server);

    const median = (values: number[]) =>
      [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? 0;
    const refused = answered.filter((code) => code === 3).length;
    console.log(
      `MQTT login under attack: baseline first logins ${baseline.map((ms) => ms.toFixed(0)).join(', ')} ms ` +
        `(median ${median(baseline).toFixed(0)}), during 200 parallel wrong CONNECTs ${underAttack.toFixed(0)} ms; ` +
        `${refused} refused unchecked (CONNACK 3), ${answered.filter((code) => code === 5).length} checked and refused (5)`,
    );
    expect(refused).toBeGreaterThanOrEqual(195);
    expect(after.mqttAuth.throttledConnects - before.mqttAuth.throttledConnects).toBe(refused);
    expect(after.mqttAuth.rejectedConnects - before.mqttAuth.rejectedConnects).toBe(200 - refused);
    // At most 5 extra scrypt checks ran beside the hub's own (the counts above); without the back-off it
    // waited behind 200 (6 s). The 2 s allowance is for a machine busy with other work (it measured
    // 1.4 s against a 1.07 s bound once, while a 5-minute scenario run shared the two cores).
    expect(underAttack).toBeLessThan(median(baseline) * 4 + 2_000);
  }, 60_000);
});

describe('embedded broker memory under oversized CONNECTs, in a child process (issue #11)', () => {
  let child: ServerProcess;
  const dataDir = tempDataDir();

  beforeAll(async () => {
    child = await ServerProcess.start({
      dataDir,
      env: {
        PUMPWATCH_AUTH_MODE: 'required',
        PUMPWATCH_ADMIN_USER: TEST_ADMIN.username,
        PUMPWATCH_ADMIN_PASSWORD: TEST_ADMIN.password,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await child?.stop();
  });

  const rssMiB = () => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  };

  it('stays within a bound while 200 sockets each try to send 1 MB in an unfinished CONNECT', async () => {
    await sleep(1000);
    const baseline = rssMiB();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMiB());
    }, 20);
    const megabyte = Buffer.alloc(1024 * 1024, 0x61);
    const sockets = await Promise.all(
      Array.from({ length: 200 }, () => rawSocket(child.mqttPort, '127.0.0.3')),
    );
    const closed = sockets.map((socket) => closedWithin(socket, 10_000));
    for (const socket of sockets) {
      socket.write(Buffer.from([0x10, ...encodeLength(200 * 1024 * 1024)]));
      socket.write(megabyte);
    }
    const closeTimes = await Promise.all(closed);
    await sleep(500);
    clearInterval(sampler);
    const afterwards = rssMiB();
    console.log(
      `server RSS: ${baseline.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB while 200 sockets sent 1 MB each ` +
        `(+${(peak - baseline).toFixed(0)} MiB), ${afterwards.toFixed(0)} MiB after; slowest close ` +
        `${Math.max(...closeTimes).toFixed(0)} ms`,
    );
    expect(Math.max(...closeTimes)).toBeLessThan(5000);
    // 200 × 1 MB held would be +200 MiB; read by the guard a chunk at a time, a few tens at most.
    expect(peak - baseline).toBeLessThan(64);
    const status = await fetch(`${child.httpUrl}/api/health`);
    expect(status.status).toBe(200);
  }, 60_000);

  it('starts again on the same data directory and serves', async () => {
    await child.stop();
    await child.start();
    expect((await fetch(`${child.httpUrl}/api/health`)).status).toBe(200);
    expect(await canConnect(child.mqttPort)).toBe(true);
  }, 60_000);
});

describe('TLS: the plain MQTT listener is off unless kept (issue #11)', () => {
  let dir: string;
  let cert: Buffer;
  const servers: PumpwatchServer[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pw-tls-mqtt-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'));
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
  });

  const tls = (keepPlainMqtt?: boolean) => ({
    certFile: join(dir, 'cert.pem'),
    keyFile: join(dir, 'key.pem'),
    mqttsPort: 0,
    ...(keepPlainMqtt === undefined ? {} : { keepPlainMqtt }),
  });

  it('listens only for MQTT over TLS, and still ingests (the server reads in-process)', async () => {
    const plainPort = await freePort();
    const server = await startServer({ mqtt: { embeddedPort: plainPort }, tls: tls() });
    servers.push(server);
    expect(await canConnect(plainPort)).toBe(false);
    expect(server.mqttUrl).toMatch(/^mqtts:/);
    // The API is HTTPS with a self-signed certificate here: register through the in-process services.
    const { password } = await server.security.hubs.register('hub-tls');
    const client = await mqtt.connectAsync(server.mqttsUrl as string, {
      ca: cert,
      username: 'hub-tls',
      password,
      clientId: 'hub-tls:gateway',
      reconnectPeriod: 0,
    });
    await client.publishAsync(telemetryTopic(prefix, 'hub-tls', 'PUMP-TLS'), sample(1), { qos: 1 });
    await client.endAsync();
    await waitFor(() => server.ward.view('PUMP-TLS') !== undefined, { what: 'telemetry over TLS' });
  });

  it('keeps plain MQTT beside TLS when tls.keepPlainMqtt is set', async () => {
    const plainPort = await freePort();
    const server = await startServer({ mqtt: { embeddedPort: plainPort }, tls: tls(true) });
    servers.push(server);
    expect(await canConnect(plainPort)).toBe(true);
    expect(server.mqttsUrl).toMatch(/^mqtts:/);
  });
});
