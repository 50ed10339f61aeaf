import type { Alert, AlertStatus, SampleBucket, StoredOrder, TelemetrySample } from '@pumpwatch/protocol';
import type { AlertEventType } from '../alerts/lifecycle.js';
import type { SecurityStore } from '../auth/ports.js';
import type { CareStore } from '../care/ports.js';
import type { OnCallStore } from '../oncall/ports.js';
import type { ContactStore } from '../paging/contacts/ports.js';
import type { BadRowHandler } from './quarantine.js';

export interface StoredSample {
  hubId: string;
  pumpId: string;
  /** Server clock when the sample was accepted. */
  receivedAt: number;
  sample: TelemetrySample;
}

export interface RecentSeq {
  pumpId: string;
  seq: number;
  epoch?: string;
}

export interface SampleQuery {
  from?: number;
  to?: number;
  limit: number;
}

/** Downsampled history: buckets of `step` ms starting at multiples of `step`, oldest first. */
export interface BucketQuery extends SampleQuery {
  step: number;
}

/**
 * Time series of samples. `append` buffers; `flush` resolves once everything appended before it is
 * durable (committed to disk): that is the store's acknowledgement, and a sample it covers survives a
 * SIGKILL of the process (docs/storage.md).
 */
export interface SampleStore {
  append(row: StoredSample): void;
  flush(): Promise<void>;
  /**
   * Resolves once everything appended before the call is durable, at the store's own commit cadence:
   * unlike `flush` it never forces a commit. The commit watermarks (server/src/confirm) wait on it.
   */
  committed(): Promise<void>;
  query(pumpId: string, query: SampleQuery): Promise<TelemetrySample[]>;
  /** min / max / mean per time bucket of one pump's samples (by pump time `ts`). */
  buckets(pumpId: string, query: BucketQuery): Promise<SampleBucket[]>;
  /**
   * Newest sample of every pump, to rebuild the registry at start. A row that cannot be decoded goes to
   * `onBadRow` and is left out; without a handler it throws.
   */
  latestPerPump(onBadRow?: BadRowHandler): Promise<StoredSample[]>;
  /**
   * The newest `limit` seqs of every pump in its current epoch (that of the sample that arrived last),
   * ascending, to rebuild duplicate detection and the commit watermarks at start. `epoch` is absent for
   * samples from hubs without epochs.
   */
  recentSeqs(limit: number): Promise<RecentSeq[]>;
  /**
   * Retention: deletes samples the server received before `receivedBefore` (server clock), in small
   * transactions so ingest never waits behind it, and never one that a forwarder has yet to deliver.
   * Returns how many were deleted.
   */
  prune(receivedBefore: number): Promise<number>;
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
/** Which alerts `AlertStore.list` returns; every field optional, all that are given must hold. */
export interface AlertFilter {
  pumpId?: string;
  from?: number;
  to?: number;
}

export interface AlertStore {
  save(alert: Alert, event: AlertEvent): Promise<void>;
  get(alertId: string): Promise<Alert | null>;
  /** Alerts not resolved, to restore at start; undecodable rows as in `SampleStore.latestPerPump`. */
  unresolved(onBadRow?: BadRowHandler): Promise<Alert[]>;
  /** Newest first; `filter` keeps one pump's alerts raised within [from, to] (epoch ms, inclusive). */
  list(status: AlertStatus | 'all', limit: number, filter?: AlertFilter): Promise<Alert[]>;
  events(alertId: string): Promise<AlertEvent[]>;
}

/** Prescribed orders, one per pump. */
export interface OrderStore {
  put(order: StoredOrder): Promise<void>;
  delete(pumpId: string): Promise<boolean>;
  /** Undecodable rows as in `SampleStore.latestPerPump`. */
  all(onBadRow?: BadRowHandler): Promise<StoredOrder[]>;
}

/** A pump's rule parameter override as set through the API, with who set it and when. */
export interface StoredPumpParams {
  pumpId: string;
  /** A partial tree of engine parameters (server/src/alerts/engine/params.ts), validated before storing. */
  overrides: Record<string, unknown>;
  updatedAt: number;
  updatedBy: string;
}

/** Rule parameter overrides set at run time, one per pump. */
export interface PumpParamsStore {
  put(params: StoredPumpParams): Promise<void>;
  delete(pumpId: string): Promise<boolean>;
  /** Undecodable rows as in `SampleStore.latestPerPump`. */
  all(onBadRow?: BadRowHandler): Promise<StoredPumpParams[]>;
}

/** One component of `/api/health`: `code` names a failure (docs/storage.md), the rest are figures. */
export interface ComponentHealth {
  ok: boolean;
  detail?: string;
  code?: string;
  [figure: string]: unknown;
}

export interface Store {
  samples: SampleStore;
  alerts: AlertStore;
  orders: OrderStore;
  pumpParams: PumpParamsStore;
  /** Users, hub credentials, revoked tokens, audit log (server/src/auth/ports.ts). */
  security: SecurityStore;
  /** Patients, therapies, pump assignments and care teams (server/src/care/ports.ts). */
  care: CareStore;
  /** Rotations, overrides, escalation policies, feed tokens (server/src/oncall/ports.ts). */
  oncall: OnCallStore;
  /** Push devices, contact details and paging secrets (server/src/paging/contacts/ports.ts). */
  contacts: ContactStore;
  /** Component check for `/api/health`. */
  health(): Promise<ComponentHealth>;
  close(): Promise<void>;
}
