import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { storeConfigSchema } from '../../src/store/config.js';
import { openMemoryStorage } from '../../src/store/memory/open-memory-storage.js';
import { type MemoryStoreData, newMemoryStoreData } from '../../src/store/memory/open-memory-store.js';
import { openStorage } from '../../src/store/open-storage.js';
import { sample } from '../fixtures.js';
import { patient } from './care-fixtures.js';
import { describeStoreContract } from './store-contract.js';

// A location names the data a memory store keeps, so reopening it sees what an earlier store left.
const locations = new Map<string, MemoryStoreData>();
let nextLocation = 0;
describeStoreContract('in memory', {
  freshLocation: () => {
    nextLocation += 1;
    return `memory-${nextLocation}`;
  },
  async open(location) {
    let data = locations.get(location);
    if (!data) {
      data = newMemoryStoreData();
      locations.set(location, data);
    }
    return openMemoryStorage({ data });
  },
});

describe('store.kind memory', () => {
  const logger = pino({ level: 'silent' });

  it('is chosen by the config, answers health as not durable, and keeps nothing for the next start', async () => {
    const config = storeConfigSchema.parse({ kind: 'memory' });
    const first = await openStorage({ dataDir: '/nonexistent/never-created', config, logger, now: Date.now });
    first.samples.append({ hubId: 'h', pumpId: 'p', receivedAt: 1, sample: sample() });
    expect(await first.components()).toEqual({
      store: expect.objectContaining({ ok: true, kind: 'memory', durable: false, samples: 1 }),
    });
    expect(first.forwarder).toBeUndefined();
    await first.close();
    const second = await openStorage({
      dataDir: '/nonexistent/never-created',
      config,
      logger,
      now: Date.now,
    });
    expect(await second.samples.query('p', { limit: 10 })).toEqual([]);
    await second.close();
  });

  it('is refused together with InfluxDB, which needs a durable spool', () => {
    const parsed = storeConfigSchema.safeParse({
      kind: 'memory',
      influx: { url: 'http://influx:8086', database: 'pumpwatch' },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['influx']);
  });

  it('refuses every call once closed, as the embedded store does', async () => {
    const storage = openMemoryStorage();
    await storage.close();
    expect(() =>
      storage.samples.append({ hubId: 'h', pumpId: 'p', receivedAt: 1, sample: sample() }),
    ).toThrow(expect.objectContaining({ code: 'STORE_CLOSED' }));
    await expect(storage.alerts.list('all', 10)).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await expect(storage.security.listUsers()).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await expect(storage.care.patients.put(patient())).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await expect(storage.care.teams.get('team_north')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await expect(storage.care.assignments.all()).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    expect((await storage.health()).ok).toBe(false);
  });

  it('hands out copies: changing what a query returned or what was stored changes nothing inside', async () => {
    const storage = openMemoryStorage();
    const stored = sample({ alarms: ['occlusion'] });
    storage.samples.append({ hubId: 'h', pumpId: 'p', receivedAt: 1, sample: stored });
    stored.alarms.push('air_in_line');
    const [first] = await storage.samples.query('p', { limit: 1 });
    first?.alarms.push('battery_low');
    expect((await storage.samples.query('p', { limit: 1 }))[0]?.alarms).toEqual(['occlusion']);
    await storage.close();
  });

  it('quarantines a care record whose JSON cannot be decoded, or stored under another id', async () => {
    const data = newMemoryStoreData();
    const storage = openMemoryStorage({ data });
    await storage.care.patients.put(patient({ id: 'pat_good' }));
    data.care.patients.set('pat_garbled', '{"id": "pat_garbled", ');
    data.care.patients.set('pat_moved', JSON.stringify(patient({ id: 'pat_other' })));
    const keys: Array<string | undefined> = [];
    expect(await storage.care.patients.all((key) => keys.push(key))).toEqual([patient({ id: 'pat_good' })]);
    expect(keys).toEqual(['pat_garbled', 'pat_moved']);
    await storage.close();
  });
});
