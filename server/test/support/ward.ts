import type { ServerFrame } from '@pumpwatch/protocol';
import { pino } from 'pino';
import { type DeepPartial, defaultEngineParams, type EngineParams } from '../../src/alerts/engine/params.js';
import { defaultEscalationPolicy, type EscalationPolicy } from '../../src/alerts/lifecycle.js';
import type { Notifier, OnCallTier } from '../../src/alerts/notifiers/notifier.js';
import type { ErrorSink } from '../../src/guard.js';
import { IngestStats } from '../../src/ingest/ingest-stats.js';
import { openMemoryStore } from '../../src/store/memory/open-memory-store.js';
import type { Store } from '../../src/store/ports.js';
import { composeWard, type Ward } from '../../src/ward/compose-ward.js';

export interface TestWardOptions {
  store?: Pick<Store, 'samples' | 'alerts' | 'orders' | 'pumpParams'>;
  params?: EngineParams;
  pumpParams?: Record<string, DeepPartial<EngineParams>>;
  policy?: EscalationPolicy;
  tiers?: OnCallTier[];
  notifiers?: Notifier[];
  now?: () => number;
  onError?: ErrorSink;
  onAlertError?: (error: unknown) => void;
  /** Every frame the dashboards would get (alert and pump frames). */
  broadcast?: (frame: ServerFrame) => void;
  pumpFrameBatch?: number;
}

/** A server's ward on the memory store, with its listeners, and no network: for unit tests and benches. */
export function testWard(options: TestWardOptions = {}) {
  const store = options.store ?? openMemoryStore();
  const stats = new IngestStats();
  const ward: Ward = composeWard({
    params: options.params ?? defaultEngineParams,
    ...(options.pumpParams ? { pumpParams: options.pumpParams } : {}),
    policy: options.policy ?? defaultEscalationPolicy,
    tiers: options.tiers ?? [],
    notifiers: options.notifiers ?? [],
    store,
    stats,
    now: options.now ?? Date.now,
    logger: pino({ level: 'silent' }),
    onError: options.onError ?? (() => undefined),
    onAlertError: options.onAlertError ?? (() => undefined),
    pumpFrameIntervalMs: 1000,
  });
  const frames = ward.attachBroadcast(options.broadcast ?? (() => undefined), options.pumpFrameBatch);
  return { ...ward, frames, store, stats };
}
