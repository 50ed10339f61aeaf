import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config.js';
import { type BuiltServer, buildServer } from '../src/server.js';
import { sample } from './fixtures.js';

/**
 * A store made before patients existed keeps its per-pump orders through the upgrade: at the first start
 * with the care model each becomes a patientless therapy the pump is assigned to, once (DuckDB on disk).
 */
const dataDir = mkdtempSync(join(tmpdir(), 'pumpwatch-migrate-'));
const config = parseServerConfig({ dataDir, auth: { mode: 'disabled' } });
const open = () => buildServer(config, { logger: pino({ level: 'silent' }) });
let server: BuiltServer | undefined;

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: 'GET' | 'PUT', url: string, payload?: Record<string, unknown>) {
  const response = await (server as BuiltServer).app.inject({ method, url, ...(payload ? { payload } : {}) });
  return { status: response.statusCode, body: response.json() };
}

describe('migrating per-pump orders into therapies', () => {
  it('turns a stored order into a therapy the pump runs, once, and keeps checking it', async () => {
    server = await open();
    // An order stored the old way: straight into the orders table, as a store from before patients.
    await server.storage.orders.put({
      pumpId: 'PUMP-OLD',
      drug: 'ceftriaxone 2 g',
      rate_mL_h: 100,
      vtbi_mL: 100,
      tolerance_pct: 10,
      updatedAt: 1_700_000_000_000,
      updatedBy: 'admin',
    });
    await server.close();

    server = await open();
    const first = await call('GET', '/api/pumps/PUMP-OLD/assignment');
    expect(first.body.current).toMatchObject({
      pumpId: 'PUMP-OLD',
      patientId: null,
      from: 1_700_000_000_000,
    });
    const therapy = await call('GET', `/api/therapies/${first.body.current.therapyId}`);
    expect(therapy.body).toMatchObject({
      drug: 'ceftriaxone 2 g',
      patientId: null,
      order: { rate_mL_h: 100 },
    });
    expect((await call('GET', '/api/pumps/PUMP-OLD/order')).body).toMatchObject({ drug: 'ceftriaxone 2 g' });
    server.ward.onSample('hub-1', 'PUMP-OLD', sample({ seq: 1, ts: Date.now(), rate_mL_h: 20 }));
    const alerts = (await call('GET', '/api/alerts?pumpId=PUMP-OLD')).body as Array<{
      rule: string;
      therapy: { drug: string };
    }>;
    expect(alerts.find((alert) => alert.rule === 'order_mismatch')?.therapy.drug).toBe('ceftriaxone 2 g');
    await server.close();

    server = await open();
    const again = await call('GET', '/api/pumps/PUMP-OLD/assignment');
    expect(again.body.history).toHaveLength(1);
  });
});
