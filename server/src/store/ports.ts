import type { Alert, AlertStatus, StoredOrder, TelemetrySample } from '@pumpwatch/protocol';
import type { AlertEventType } from '../alerts/lifecycle.js';

export interface StoredSample {
  hubId: string;
  pumpId: string;
  /** Server clock when the sample was accepted. */
  receivedAt: number;
  sample: TelemetrySample;
}

export interface SampleQuery {
  from?: number;
  to?: number;
  limit: number;
}

/** Time series of samples. Writes are buffered; `flush` makes everything appended so far durable. */
export interface SampleStore {
  append(row: StoredSample): void;
  flush(): Promise<void>;
  query(pumpId: string, query: SampleQuery): Promise<TelemetrySample[]>;
  /** Newest sample of every pump, to rebuild the registry at start. */
  latestPerPump(): Promise<StoredSample[]>;
  /** The newest `limit` seqs of every pump, to rebuild duplicate detection at start. */
  recentSeqs(limit: number): Promise<Array<{ pumpId: string; seq: number }>>;
}

export interface AlertEvent {
  alertId: string;
  type: AlertEventType;
  at: number;
  actor: string;
  alert: Alert;
  /** What else the event carries: a webhook delivery's result, a snooze duration, an escalation tier. */
  details?: Record<string, unknown>;
}

/** Alert state and its append-only event log. */
export interface AlertStore {
  save(alert: Alert, event: AlertEvent): Promise<void>;
  get(alertId: string): Promise<Alert | null>;
  unresolved(): Promise<Alert[]>;
  list(status: AlertStatus | 'all', limit: number): Promise<Alert[]>;
  events(alertId: string): Promise<AlertEvent[]>;
}

/** Prescribed orders, one per pump. */
export interface OrderStore {
  put(order: StoredOrder): Promise<void>;
  delete(pumpId: string): Promise<boolean>;
  all(): Promise<StoredOrder[]>;
}

export interface Store {
  samples: SampleStore;
  alerts: AlertStore;
  orders: OrderStore;
  /** Component check for `/api/health`. */
  health(): Promise<{ ok: boolean; detail?: string }>;
  close(): Promise<void>;
}
