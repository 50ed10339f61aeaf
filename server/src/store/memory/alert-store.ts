import type { Alert, AlertStatus } from '@pumpwatch/protocol';
import type { AlertEventType } from '../../alerts/lifecycle.js';
import type { AlertEvent, AlertFilter, AlertStore } from '../ports.js';
import { assertInteger, assertLimit, type MemoryLifecycle } from './lifecycle.js';

interface AlertRow {
  pumpId: string;
  status: AlertStatus;
  raisedAt: number;
  /** Kept as JSON, like the embedded store's `alert_json`: what comes back is what JSON carries. */
  json: string;
}

interface EventRow {
  type: AlertEventType;
  at: number;
  actor: string;
  json: string;
  details: string | null;
}

/** Alert state (one row per alert id, replaced on change) and each alert's events in save order. */
export interface MemoryAlertData {
  alerts: Map<string, AlertRow>;
  events: Map<string, EventRow[]>;
}

export function newAlertData(): MemoryAlertData {
  return { alerts: new Map(), events: new Map() };
}

/**
 * Alerts in memory, answering as the DuckDB adapter (alert-store.ts): a save replaces the alert's state
 * and appends its event in one step, so neither is ever seen without the other.
 */
export class MemoryAlertStore implements AlertStore {
  constructor(
    private readonly data: MemoryAlertData,
    private readonly lifecycle: MemoryLifecycle,
  ) {}

  async save(alert: Alert, event: AlertEvent): Promise<void> {
    this.lifecycle.assertOpen('alert saves');
    assertInteger('raisedAt', alert.raisedAt);
    assertInteger('event at', event.at);
    // Both encoded before either is stored: a value JSON cannot carry fails the whole save.
    const row: AlertRow = {
      pumpId: alert.pumpId,
      status: alert.status,
      raisedAt: alert.raisedAt,
      json: JSON.stringify(alert),
    };
    const eventRow: EventRow = {
      type: event.type,
      at: event.at,
      actor: event.actor,
      json: JSON.stringify(event.alert),
      details: event.details ? JSON.stringify(event.details) : null,
    };
    this.data.alerts.set(alert.id, row);
    const log = this.data.events.get(event.alertId);
    if (log) log.push(eventRow);
    else this.data.events.set(event.alertId, [eventRow]);
  }

  async get(alertId: string): Promise<Alert | null> {
    this.lifecycle.assertOpen('queries');
    const row = this.data.alerts.get(alertId);
    return row ? (JSON.parse(row.json) as Alert) : null;
  }

  /** Oldest raised first, as `ORDER BY raised_at`. */
  async unresolved(): Promise<Alert[]> {
    this.lifecycle.assertOpen('queries');
    const rows = [...this.data.alerts.values()].filter((row) => row.status !== 'resolved');
    rows.sort((a, b) => a.raisedAt - b.raisedAt);
    return rows.map((row) => JSON.parse(row.json) as Alert);
  }

  /** Newest raised first, at most `limit`; `from` / `to` bound `raisedAt`, inclusive. */
  async list(status: AlertStatus | 'all', limit: number, filter: AlertFilter = {}): Promise<Alert[]> {
    this.lifecycle.assertOpen('queries');
    assertLimit(limit);
    const { pumpId, from, to } = filter;
    const rows = [...this.data.alerts.values()].filter(
      (row) =>
        (status === 'all' || row.status === status) &&
        (pumpId === undefined || row.pumpId === pumpId) &&
        (from === undefined || row.raisedAt >= from) &&
        (to === undefined || row.raisedAt <= to),
    );
    rows.sort((a, b) => b.raisedAt - a.raisedAt);
    return rows.slice(0, limit).map((row) => JSON.parse(row.json) as Alert);
  }

  async events(alertId: string): Promise<AlertEvent[]> {
    this.lifecycle.assertOpen('queries');
    return (this.data.events.get(alertId) ?? []).map((row) => ({
      alertId,
      type: row.type,
      at: row.at,
      actor: row.actor,
      alert: JSON.parse(row.json) as Alert,
      ...(row.details ? { details: JSON.parse(row.details) as Record<string, unknown> } : {}),
    }));
  }
}
