import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PumpwatchServer, parseServerConfig, startPumpwatchServer } from '@pumpwatch/server';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** HTTPS and MQTT over TLS when certificates are configured, with a self-signed certificate from openssl. */
describe('TLS', () => {
  let server: PumpwatchServer;
  let cert: Buffer;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-tls-'));
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
    const config = parseServerConfig({
      http: { port: 0 },
      mqtt: { embeddedPort: 0 },
      dataDir: join(dir, 'data'),
      auth: { mode: 'disabled' },
      tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem'), mqttsPort: 0 },
    });
    server = await startPumpwatchServer(config, { logger: pino({ level: 'warn' }) });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves the API over HTTPS', async () => {
    expect(server.httpUrl).toMatch(/^https:/);
    const status = await new Promise<number>((resolve, reject) => {
      get(`${server.httpUrl}/api/health`, { ca: cert }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(200);
  });

  it('accepts MQTT over TLS and refuses a client that does not trust the certificate', async () => {
    expect(server.mqttsUrl).toMatch(/^mqtts:/);
    const client = await mqtt.connectAsync(server.mqttsUrl as string, { ca: cert, reconnectPeriod: 0 });
    expect(client.connected).toBe(true);
    await client.endAsync();
    await expect(mqtt.connectAsync(server.mqttsUrl as string, { reconnectPeriod: 0 })).rejects.toThrow(
      /self.signed|certificate/i,
    );
  });
});
