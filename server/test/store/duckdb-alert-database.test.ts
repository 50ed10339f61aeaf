import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Alert } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { alertSchemaStatements } from '../../src/store/duckdb/alert-database.js';
import { openDuckDbStore } from '../../src/store/duckdb/open-duckdb-store.js';

const alert: Alert = {
  id: 'PUMP-1:occlusion_downstream:7',
  hubId: 'hub-1',
  pumpId: 'PUMP-1',
  rule: 'occlusion_downstream',
  priority: 'high',
  status: 'active',
  raisedAt: 1_000,
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  message: 'Downstream occlusion',
  details: {},
  latched: false,
  snoozedUntil: null,
  escalationLevel: 0,
  escalatedAt: null,
  nextEscalationAt: 121_000,
};

async function tablesOf(path: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  const rows = await connection.runAndReadAll(
    `SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1`,
  );
  connection.closeSync();
  instance.closeSync();
  return rows.getRowObjectsJS().map((row) => String(row.table_name));
}

describe('alert database', () => {
  it('keeps alerts in alerts.duckdb, apart from the samples', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'pw-alertdb-')), 'data');
    const store = await openDuckDbStore({ dataDir });
    await store.alerts.save(alert, { alertId: alert.id, type: 'raised', at: 1_000, actor: 'engine', alert });
    await store.close();
    expect(await tablesOf(join(dataDir, 'alerts.duckdb'))).toEqual(['alert_events', 'alerts']);
    expect(await tablesOf(join(dataDir, 'pumpwatch.duckdb'))).not.toContain('alerts');
  });

  it('moves the alerts of an older store, where they shared pumpwatch.duckdb, and continues its event ids', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'pw-alertdb-')), 'data');
    mkdirSync(dataDir, { recursive: true });
    // The layout of a store made before alerts had their own file.
    const legacy = await DuckDBInstance.create(join(dataDir, 'pumpwatch.duckdb'));
    const connection = await legacy.connect();
    for (const statement of [
      `CREATE TABLE alerts (id VARCHAR PRIMARY KEY, pump_id VARCHAR NOT NULL, status VARCHAR NOT NULL,
         raised_at BIGINT NOT NULL, alert_json VARCHAR NOT NULL)`,
      `CREATE SEQUENCE alert_event_seq`,
      `CREATE TABLE alert_events (event_id BIGINT PRIMARY KEY, alert_id VARCHAR NOT NULL, type VARCHAR NOT NULL,
         event_at BIGINT NOT NULL, actor VARCHAR NOT NULL, alert_json VARCHAR NOT NULL, details_json VARCHAR)`,
    ])
      await connection.run(statement);
    await connection.run(`INSERT INTO alerts VALUES ($id, 'PUMP-1', 'active', 1000, $json)`, {
      id: alert.id,
      json: JSON.stringify(alert),
    });
    for (const [type, at] of [
      ['raised', 1_000],
      ['escalated', 121_000],
    ] as const) {
      await connection.run(
        `INSERT INTO alert_events VALUES (nextval('alert_event_seq'), $id, $type, $at, 'engine', $json, NULL)`,
        { id: alert.id, type, at: BigInt(at), json: JSON.stringify(alert) },
      );
    }
    connection.closeSync();
    legacy.closeSync();

    const store = await openDuckDbStore({ dataDir });
    expect(await store.alerts.unresolved()).toEqual([alert]);
    const acknowledged = { ...alert, status: 'acknowledged' as const, acknowledgedBy: 'nurse' };
    await store.alerts.save(acknowledged, {
      alertId: alert.id,
      type: 'acknowledged',
      at: 130_000,
      actor: 'nurse',
      alert: acknowledged,
    });
    // Ordered by event id: the new event comes after the two moved ones, so the ids continued.
    expect((await store.alerts.events(alert.id)).map((event) => event.type)).toEqual([
      'raised',
      'escalated',
      'acknowledged',
    ]);
    await store.close();
    expect(await tablesOf(join(dataDir, 'pumpwatch.duckdb'))).not.toContain('alerts');

    // Opened again: nothing moves twice, nothing is lost.
    const reopened = await openDuckDbStore({ dataDir });
    expect((await reopened.alerts.events(alert.id)).map((event) => event.type)).toEqual([
      'raised',
      'escalated',
      'acknowledged',
    ]);
    expect(await reopened.alerts.list('all', 10)).toEqual([acknowledged]);
    await reopened.close();
  });

  it('continues event ids after stored ones when a crash left the moved events without their sequence', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'pw-alertdb-')), 'data');
    mkdirSync(dataDir, { recursive: true });
    // What a kill after the move's commit and before the sequence was created leaves behind.
    const partial = await DuckDBInstance.create(join(dataDir, 'alerts.duckdb'));
    const connection = await partial.connect();
    for (const statement of alertSchemaStatements) await connection.run(statement);
    for (const [id, type] of [
      [1, 'raised'],
      [2, 'escalated'],
    ] as const) {
      await connection.run(
        `INSERT INTO alert_events VALUES ($event, $id, $type, 1000, 'engine', $json, NULL)`,
        {
          event: BigInt(id),
          id: alert.id,
          type,
          json: JSON.stringify(alert),
        },
      );
    }
    connection.closeSync();
    partial.closeSync();

    const store = await openDuckDbStore({ dataDir });
    await store.alerts.save(alert, {
      alertId: alert.id,
      type: 'acknowledged',
      at: 2_000,
      actor: 'nurse',
      alert,
    });
    expect((await store.alerts.events(alert.id)).map((event) => event.type)).toEqual([
      'raised',
      'escalated',
      'acknowledged',
    ]);
    await store.close();
  });

  it('commits a burst of saves together, every event in the order it was asked for', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'pw-alertdb-')), 'data');
    const store = await openDuckDbStore({ dataDir });
    const other: Alert = { ...alert, id: 'PUMP-2:battery_low:1', pumpId: 'PUMP-2', rule: 'battery_low' };
    const saves: Promise<void>[] = [];
    for (let at = 1; at <= 1_200; at += 1) {
      const current = at % 3 === 0 ? other : { ...alert, escalationLevel: at };
      saves.push(
        store.alerts.save(current, {
          alertId: current.id,
          type: 'escalated',
          at,
          actor: 'engine',
          alert: current,
        }),
      );
    }
    await Promise.all(saves);
    const events = await store.alerts.events(alert.id);
    expect(events.map((event) => event.at)).toEqual(
      Array.from({ length: 1_200 }, (_, i) => i + 1).filter((at) => at % 3 !== 0),
    );
    expect((await store.alerts.events(other.id)).map((event) => event.at)).toEqual(
      Array.from({ length: 400 }, (_, i) => (i + 1) * 3),
    );
    // The row holds the last state saved, however many saves of it went in one transaction.
    expect((await store.alerts.get(alert.id))?.escalationLevel).toBe(1_199);
    await store.close();
  });

  it('fails only the save that cannot be written, not the others committed with it', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'pw-alertdb-')), 'data');
    const store = await openDuckDbStore({ dataDir });
    const outcomes = await Promise.allSettled(
      [1, Number.NaN, 3].map((at) =>
        store.alerts.save(alert, { alertId: alert.id, type: 'raised', at, actor: 'engine', alert }),
      ),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.alerts.events(alert.id)).map((event) => event.at)).toEqual([1, 3]);
    await store.close();
  });
});
