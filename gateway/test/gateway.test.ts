import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayConfigSchema } from '../src/config/schema.js';
import { createGateway } from '../src/gateway.js';
import { OutboxStore } from '../src/outbox/outbox-store.js';
import type { PumpReadingSample, PumpSource, PumpSourceListener } from '../src/sources/pump-source.js';

/** Emits the given samples for pump P-1 as soon as it starts. */
function scriptedSource(samples: PumpReadingSample[]): PumpSource {
  return {
    name: 'test:scripted',
    pumpIds: ['P-1'],
    async start(listener: PumpSourceListener) {
      listener.link('P-1', 'up');
      for (const sample of samples) listener.reading({ pumpId: 'P-1', sample });
    },
    async stop() {},
  };
}

const valid: PumpReadingSample = {
  v: 1,
  ts: 1_700_000_000_000,
  state: 'infusing',
  rate_mL_h: 5,
  vi_mL: 0,
  alarms: [],
};

function offlineConfig() {
  return gatewayConfigSchema.parse({
    hubId: 'HUB-U',
    // Port 9 (discard) on loopback: nothing listens, the gateway runs offline and queues to disk.
    mqtt: { url: 'mqtt://127.0.0.1:9', reconnectPeriodMs: 60_000 },
    dataDir: mkdtempSync(join(tmpdir(), 'pumpwatch-gw-unit-')),
    pumps: [{ pumpId: 'P-1', driver: 'simulated' }],
  });
}

describe('createGateway', () => {
  it('refuses a reading that fails the schema without spending a seq', async () => {
    const invalid = { ...valid, rate_mL_h: -1 };
    const gateway = createGateway(offlineConfig(), { sources: [scriptedSource([invalid, valid])] });
    await gateway.start();
    await gateway.stop();
    const status = gateway.status();
    expect(status.rejectedReadings).toBe(1);
    expect(status.pumps['P-1']).toMatchObject({ lastSeq: 0, link: 'up' });
    expect(status.outbox.depth).toBe(1);
    expect(status.connected).toBe(false);
  });

  it('stamps hubTs from its clock when the driver did not', async () => {
    const config = offlineConfig();
    const gateway = createGateway(config, {
      sources: [scriptedSource([valid])],
      now: () => 1_800_000_000_000,
    });
    await gateway.start();
    await gateway.stop();
    const store = await OutboxStore.open(config.dataDir, { maxEntries: 10 });
    const [entry] = await store.readAfter(-1, 10);
    await store.close();
    expect(entry?.sample).toMatchObject({ seq: 0, hubTs: 1_800_000_000_000, ts: valid.ts });
  });

  it('cannot be started twice', async () => {
    const gateway = createGateway(offlineConfig(), { sources: [scriptedSource([])] });
    await gateway.start();
    await expect(gateway.start()).rejects.toMatchObject({ code: 'GATEWAY_STATE' });
    await gateway.stop();
  });
});
