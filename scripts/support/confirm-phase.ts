import { OutboxStore } from '@pumpwatch/gateway';
import { hubCommittedSchema } from '@pumpwatch/protocol';
import mqtt from 'mqtt';

/** Appends the backlog an outage of `minutes` leaves (1 Hz per pump) to a stopped gateway's outbox. */
export async function appendBacklog(
  dataDir: string,
  pumpIds: readonly string[],
  minutes: number,
): Promise<{ depth: number; lastSeqs: Map<string, number>; before: number }> {
  const store = await OutboxStore.open(dataDir, { maxEntries: 1_000_000 });
  const now = Date.now();
  const appends: Promise<unknown>[] = [];
  for (let s = minutes * 60; s > 0; s--) {
    for (const [i, pumpId] of pumpIds.entries()) {
      const ts = now - 1000 - s * 1000;
      appends.push(
        store.append(pumpId, {
          v: 1,
          ts,
          hubTs: ts,
          state: 'infusing',
          rate_mL_h: 20 + i,
          vi_mL: s / 100,
          vtbi_mL: 500,
          pressure_mmHg: 12.4,
          occlusionLimit_mmHg: 300,
          battery_pct: 90,
          onBattery: false,
          alarms: [],
        }),
      );
    }
  }
  await Promise.all(appends);
  const depth = store.depth;
  const lastSeqs = new Map(pumpIds.map((pumpId) => [pumpId, store.lastSeq(pumpId) ?? -1]));
  await store.close();
  return { depth, lastSeqs, before: now - 1000 };
}

/**
 * Watches a hub's traffic on the server's broker: each sample's `hubTs` (when the gateway read it)
 * and each commit watermark. A sample's confirmation latency is the time the watermark passing it
 * reached the broker's subscribers (as the hub receives it, on the same machine) minus its `hubTs`.
 */
export async function watchConfirmations(url: string, prefix: string, hubId: string) {
  const client = await mqtt.connectAsync(url, { clientId: `bench-confirm-${process.pid}` });
  const readAt = new Map<string, Map<number, number>>();
  const confirmedThrough = new Map<string, number>();
  const latencies: number[] = [];
  let lastWatermarkAt = 0;
  client.on('message', (topic, payload) => {
    const now = Date.now();
    if (topic.endsWith('/telemetry')) {
      const pumpId = topic.split('/').at(-2) as string;
      const sample = JSON.parse(payload.toString()) as { seq: number; hubTs?: number };
      let seqs = readAt.get(pumpId);
      if (!seqs) {
        seqs = new Map();
        readAt.set(pumpId, seqs);
      }
      if (sample.hubTs !== undefined && !seqs.has(sample.seq)) seqs.set(sample.seq, sample.hubTs);
      return;
    }
    if (!topic.endsWith('/committed')) return;
    const committed = hubCommittedSchema.parse(JSON.parse(payload.toString()));
    lastWatermarkAt = now;
    for (const [pumpId, mark] of Object.entries(committed.pumps)) {
      const from = (confirmedThrough.get(pumpId) ?? -1) + 1;
      const seqs = readAt.get(pumpId);
      for (let seq = from; seq <= mark.seq; seq++) {
        const read = seqs?.get(seq);
        if (read !== undefined) {
          latencies.push(now - read);
          seqs?.delete(seq);
        }
      }
      confirmedThrough.set(pumpId, Math.max(from - 1, mark.seq));
    }
  });
  await client.subscribeAsync(`${prefix}/hubs/${hubId}/#`, { qos: 1 });
  return {
    confirmedThrough,
    /** Latencies since the last call, in ms. */
    take(): number[] {
      return latencies.splice(0);
    },
    get lastWatermarkAt() {
      return lastWatermarkAt;
    },
    close: () => client.endAsync(true),
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
