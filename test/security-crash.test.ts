import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Alert, isValidId, telemetryTopic } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import { alert } from '@pumpwatch/server/testing';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubSample } from './support/samples.js';
import { getJson, startTestServer, tempDataDir } from './support/server-harness.js';
import { waitFor } from './support/wait.js';

interface Health {
  status: string;
  quarantined: { samples: number; alerts: number; orders: number; params: number; care: number };
  internalErrors: { total: number; byOwner: Record<string, number> };
}

async function sql(file: string, statements: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    for (const statement of statements) await connection.run(statement);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const quote = (value: unknown) => `'${JSON.stringify(value).replaceAll("'", "''")}'`;

/**
 * Issue #11: a store that crashes the server on restart is a bug class. Records written before the id
 * check existed, or damaged on disk, are put straight into a real data directory; the server must start,
 * say what it skipped in /api/health, and go on ingesting and alerting.
 */
describe('a poisoned data directory', () => {
  const dataDir = tempDataDir();
  let server: PumpwatchServer;
  // What the protocol refuses today: the lead's id check makes reserved names fail their schema too.
  const reservedRefused = !isValidId('constructor');

  beforeAll(async () => {
    // A first run makes the schema; then the records go in behind its back.
    server = await startTestServer({ dataDir });
    await server.stop();
    const now = Date.now();
    const sampleRow = (pumpId: string, state: string, alarms: string) =>
      `('HUB-OLD', '${pumpId}', 1, ${now}, ${now}, '${state}', 5, 1, '${alarms}', ${now})`;
    await sql(join(dataDir, 'pumpwatch.duckdb'), [
      `INSERT INTO samples (hub_id, pump_id, seq, ts, received_at, state, rate_ml_h, vi_ml, alarms, ingest_id)
       VALUES ${sampleRow('constructor', 'infusing', '[]')}, ${sampleRow('PUMP-GARBLED', 'infusing', '{not json')},
              ${sampleRow('PUMP-BADSTATE', 'exploded', '[]')}`,
      `INSERT INTO orders VALUES ('__proto__', ${quote({
        pumpId: '__proto__',
        drug: 'saline',
        rate_mL_h: 5,
        vtbi_mL: 100,
        tolerance_pct: 10,
        updatedAt: now,
        updatedBy: 'admin',
      })}), ('PUMP-BADJSON', '{"pumpId": ')`,
      `INSERT INTO pump_params VALUES ('constructor', ${quote({
        pumpId: 'constructor',
        overrides: { occlusion: { defaultLimit_mmHg: 200 } },
        updatedAt: now,
        updatedBy: 'admin',
      })})`,
    ]);
    await sql(join(dataDir, 'alerts.duckdb'), [
      `INSERT INTO alerts VALUES ('garbage-1', 'PUMP-X', 'active', 1, '{not json')`,
      `INSERT INTO alerts VALUES ('proto-1', '__proto__', 'active', 1, ${quote(
        alert({ id: 'proto-1', hubId: 'HUB-OLD', pumpId: '__proto__' }),
      )})`,
    ]);
    server = await startTestServer({ dataDir });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const health = async () => (await getJson<Health>(`${server.httpUrl}/api/health`)).body;

  it('starts, serves /api/health and counts each record it skipped', async () => {
    const body = await health();
    expect(body.status).toBe('ok');
    expect(body.quarantined).toEqual({
      samples: reservedRefused ? 3 : 2,
      alerts: reservedRefused ? 2 : 1,
      orders: reservedRefused ? 2 : 1,
      params: reservedRefused ? 1 : 0,
      // A quarantined order is not migrated into a care record that would itself be quarantined.
      care: 0,
    });
  });

  it('still ingests a good sample and raises its alert, with no internal error', async () => {
    const client = await mqtt.connectAsync(server.mqttUrl);
    try {
      const sample = hubSample(1, { pressure_mmHg: 320, alarms: ['occlusion'] });
      await client.publishAsync(
        telemetryTopic('pumpwatch/v1', 'HUB-NEW', 'PUMP-GOOD'),
        JSON.stringify(sample),
        {
          qos: 1,
        },
      );
      const raised = await waitFor(
        async () =>
          (await getJson<Alert[]>(`${server.httpUrl}/api/alerts`)).body.find(
            (a) => a.pumpId === 'PUMP-GOOD' && a.rule === 'occlusion_downstream',
          ),
        { timeoutMs: 10_000, what: 'the occlusion alert of PUMP-GOOD' },
      );
      expect(raised.status).toBe('active');
    } finally {
      await client.endAsync(true);
    }
    // Two liveness ticks over whatever was restored, then the count.
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect((await health()).internalErrors.total).toBe(0);
  });

  it('starts again on the same directory, quarantining the same records', async () => {
    const before = (await health()).quarantined;
    await server.stop();
    server = await startTestServer({ dataDir });
    expect((await health()).quarantined).toEqual(before);
    const pumps = (await getJson<Array<{ pumpId: string }>>(`${server.httpUrl}/api/pumps`)).body;
    expect(pumps.map((p) => p.pumpId)).toContain('PUMP-GOOD');
  });
});
