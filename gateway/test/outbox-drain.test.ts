import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TelemetrySample } from '@pumpwatch/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutboxDrain, type TelemetryTransport } from '../src/outbox/outbox-drain.js';
import { OutboxStore } from '../src/outbox/outbox-store.js';

/** A transport whose PUBACKs the test releases by hand. */
class ManualTransport implements TelemetryTransport {
  connected = true;
  readonly sent: Array<{ pumpId: string; seq: number; ack(): void; fail(): void }> = [];
  publishTelemetry(pumpId: string, sample: TelemetrySample): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sent.push({ pumpId, seq: sample.seq, ack: resolve, fail: () => reject(new Error('lost')) });
    });
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** `freeOnPuback`: the hook removes acknowledged entries, as the gateway does for an older server. */
async function setup(maxInFlight: number, freeOnPuback = true) {
  const store = await OutboxStore.open(mkdtempSync(join(tmpdir(), 'pumpwatch-gw-drain-')), {
    maxEntries: 1000,
  });
  const transport = new ManualTransport();
  const acked: number[] = [];
  const drain = new OutboxDrain(store, transport, maxInFlight, {
    acknowledged: async (entry) => {
      acked.push(entry.sample.seq);
      if (freeOnPuback) await store.remove(entry.id, entry.pumpId);
    },
    error: () => {},
  });
  cleanups.push(async () => {
    await drain.stop();
    await store.close();
  });
  const append = async (count: number) => {
    for (let i = 0; i < count; i++) {
      await store.append('A', { v: 1, ts: 1 + i, state: 'infusing', rate_mL_h: 1, vi_mL: 0, alarms: [] });
    }
  };
  return { store, transport, drain, acked, append };
}

describe('OutboxDrain', () => {
  it('keeps at most maxInFlight publishes waiting and removes entries only on PUBACK', async () => {
    const { store, transport, drain, append } = await setup(4);
    await append(10);
    drain.kick();
    await vi.waitFor(() => expect(transport.sent).toHaveLength(4));
    expect(store.depth).toBe(10);
    expect(transport.sent.map((s) => s.seq)).toEqual([0, 1, 2, 3]);

    transport.sent[0]?.ack();
    await vi.waitFor(() => expect(transport.sent).toHaveLength(5));
    expect(store.depth).toBe(9);
    expect(drain.inFlight).toBe(4);
  });

  it('keeps acknowledged entries unless the hook frees them, and rewind sends them again', async () => {
    const { store, transport, drain, acked, append } = await setup(8, false);
    await append(3);
    drain.kick();
    await vi.waitFor(() => expect(transport.sent).toHaveLength(3));
    for (const sent of transport.sent) sent.ack();
    await vi.waitFor(() => expect(acked).toHaveLength(3));
    expect(store.depth).toBe(3);
    // Nothing is sent twice on its own…
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(transport.sent).toHaveLength(3);
    // …until a rewind (a reconnect, a server restart): then all that is held, oldest first.
    drain.rewind();
    await vi.waitFor(() => expect(transport.sent).toHaveLength(6));
    expect(transport.sent.slice(3).map((s) => s.seq)).toEqual([0, 1, 2]);
    expect(await store.confirmThrough('A', store.epoch, 1)).toBe(2);
    expect(store.depth).toBe(1);
    drain.rewind();
    await vi.waitFor(() => expect(transport.sent).toHaveLength(7));
    expect(transport.sent[6]?.seq).toBe(2);
  });

  it('drains everything in order while new samples keep arriving', async () => {
    const { store, transport, drain, acked, append } = await setup(3);
    await append(5);
    drain.kick();
    let released = 0;
    for (let round = 0; round < 50 && released < 12; round++) {
      if (round === 2) {
        await append(7);
        drain.kick();
      }
      await vi.waitFor(() => expect(transport.sent.length).toBeGreaterThan(released));
      transport.sent[released++]?.ack();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await vi.waitFor(() => expect(acked).toHaveLength(12));
    expect(transport.sent.map((s) => s.seq)).toEqual([...Array(12).keys()]);
    expect(store.depth).toBe(0);
  });

  it('sends nothing while disconnected and resumes on kick', async () => {
    const { transport, drain, append } = await setup(8);
    transport.connected = false;
    await append(3);
    drain.kick();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(transport.sent).toHaveLength(0);
    transport.connected = true;
    drain.kick();
    await vi.waitFor(() => expect(transport.sent).toHaveLength(3));
  });

  it('publishes a failed entry again', async () => {
    const { store, transport, drain, append } = await setup(8);
    await append(2);
    drain.kick();
    await vi.waitFor(() => expect(transport.sent).toHaveLength(2));
    transport.sent[1]?.ack();
    transport.sent[0]?.fail();
    await vi.waitFor(() => expect(transport.sent.length).toBeGreaterThanOrEqual(3), { timeout: 2000 });
    expect(transport.sent[2]?.seq).toBe(0);
    transport.sent[2]?.ack();
    await vi.waitFor(() => expect(store.depth).toBe(0));
  });
});
