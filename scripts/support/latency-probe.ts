import type { TelemetrySample } from '@pumpwatch/protocol';
import { FakeHub } from '@pumpwatch/simulators/mqtt';
import WebSocket from 'ws';
import { sleep, waitFor } from './proc.js';

export interface LatencyResult {
  probes: number;
  received: number;
  lost: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** Each probe's latency in the order they were sent (null: lost), to see queueing over the run. */
  series: Array<number | null>;
}

export interface LatencyOptions {
  mqttUrl: string;
  httpUrl: string;
  perSecond: number;
  seconds: number;
  /** Distinguishes the probe pumps of several runs against one server. */
  runId: string;
}

/**
 * Publish → `alert` frame latency, measured among whatever load is running: a probe hub publishes, at
 * `perSecond`, the first sample of a fresh pump carrying the `air_in_line` flag (a high alert raised on
 * that sample alone), and a `/ws` client in this process times each until its `alert` frame arrives. The
 * path is the whole server's: broker, decode and validation, dedup, store append, rules, the alert's
 * persistence, the WebSocket broadcast. Publisher and client share this process's clock.
 */
export async function measureAlertLatency(options: LatencyOptions): Promise<LatencyResult> {
  const pending = new Map<string, number>();
  const latencies: number[] = [];
  const byProbe = new Map<string, number>();
  const socket = new WebSocket(`${options.httpUrl.replace(/^http/, 'ws')}/ws`);
  socket.on('message', (data: Buffer) => {
    // Pump frames stream by thousands per second; look inside only the probes' alert frames.
    if (!data.includes('"type":"alert"') || !data.includes('PROBE-')) return;
    const frame = JSON.parse(data.toString('utf8')) as { alert?: { pumpId: string; rule: string } };
    const alert = frame.alert;
    if (alert?.rule !== 'air_in_line') return;
    const sentAt = pending.get(alert.pumpId);
    if (sentAt === undefined) return;
    latencies.push(performance.now() - sentAt);
    byProbe.set(alert.pumpId, performance.now() - sentAt);
    pending.delete(alert.pumpId);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const hub = new FakeHub({ url: options.mqttUrl, hubId: `PROBE-H-${options.runId}` });
  await hub.connect();
  const total = Math.round(options.perSecond * options.seconds);
  try {
    const started = performance.now();
    for (let i = 0; i < total; i += 1) {
      // Paced against the start, so a slow event loop does not stretch the run.
      const due = started + (i * 1000) / options.perSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const pumpId = `PROBE-${options.runId}-${i}`;
      const now = Date.now();
      const sample: TelemetrySample = {
        v: 1,
        seq: 1,
        ts: now,
        hubTs: now,
        state: 'stopped',
        rate_mL_h: 100,
        vi_mL: 12,
        vtbi_mL: 250,
        pressure_mmHg: 30,
        occlusionLimit_mmHg: 300,
        battery_pct: 90,
        onBattery: true,
        alarms: ['air_in_line'],
      };
      pending.set(pumpId, performance.now());
      hub.publishTelemetry(pumpId, sample);
    }
    await waitFor(() => pending.size === 0, { timeoutMs: 10_000, what: 'the last alert frames' }).catch(
      () => {},
    );
  } finally {
    socket.terminate();
    await hub.close().catch(() => {});
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const pick = (q: number) =>
    round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN);
  return {
    probes: total,
    received: sorted.length,
    lost: pending.size,
    p50Ms: pick(0.5),
    p95Ms: pick(0.95),
    p99Ms: pick(0.99),
    maxMs: round(sorted.at(-1) ?? NaN),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / Math.max(sorted.length, 1)),
    series: Array.from({ length: total }, (_, i) => {
      const latency = byProbe.get(`PROBE-${options.runId}-${i}`);
      return latency === undefined ? null : round(latency);
    }),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
