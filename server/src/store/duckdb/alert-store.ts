import type { Alert, AlertStatus } from '@pumpwatch/protocol';
import type { AlertEventType } from '../../alerts/lifecycle.js';
import type { AlertEvent, AlertStore } from '../ports.js';
import type { SqlConnection } from './guarded-connection.js';

/**
 * Current alert state (one row per alert, replaced on change) and the append-only event log, written
 * together in one transaction so a crash never leaves one without the other.
 */
export class DuckDbAlertStore implements AlertStore {
  /** Writes run one after another on their own connection, in the order they were asked for. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly writer: SqlConnection,
    private readonly reader: SqlConnection,
  ) {}

  save(alert: Alert, event: AlertEvent): Promise<void> {
    const write = async () => {
      await this.writer.run('BEGIN TRANSACTION');
      try {
        await this.writer.run(
          `INSERT OR REPLACE INTO alerts (id, pump_id, status, raised_at, alert_json)
           VALUES ($id, $pump, $status, $raised, $json)`,
          {
            id: alert.id,
            pump: alert.pumpId,
            status: alert.status,
            raised: BigInt(alert.raisedAt),
            json: JSON.stringify(alert),
          },
        );
        await this.writer.run(
          `INSERT INTO alert_events (event_id, alert_id, type, event_at, actor, alert_json, details_json)
           VALUES (nextval('alert_event_seq'), $id, $type, $at, $actor, $json, $details)`,
          {
            id: event.alertId,
            type: event.type,
            at: BigInt(event.at),
            actor: event.actor,
            json: JSON.stringify(event.alert),
            details: event.details ? JSON.stringify(event.details) : null,
          },
        );
        await this.writer.run('COMMIT');
      } catch (error) {
        await this.writer.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    };
    const next = this.queue.then(write, write);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every write asked for so far has committed. */
  async drain(): Promise<void> {
    await this.queue;
  }

  async get(alertId: string): Promise<Alert | null> {
    await this.drain();
    const [alert] = await this.selectAlerts('WHERE id = $id', { id: alertId });
    return alert ?? null;
  }

  async unresolved(): Promise<Alert[]> {
    return this.selectAlerts(`WHERE status <> 'resolved' ORDER BY raised_at`, {});
  }

  async list(status: AlertStatus | 'all', limit: number): Promise<Alert[]> {
    await this.drain();
    if (status === 'all') {
      return this.selectAlerts('ORDER BY raised_at DESC LIMIT $limit', { limit: BigInt(limit) });
    }
    return this.selectAlerts('WHERE status = $status ORDER BY raised_at DESC LIMIT $limit', {
      status,
      limit: BigInt(limit),
    });
  }

  async events(alertId: string): Promise<AlertEvent[]> {
    await this.drain();
    const result = await this.reader.runAndReadAll(
      'SELECT alert_id, type, event_at, actor, alert_json, details_json FROM alert_events WHERE alert_id = $id ORDER BY event_id',
      { id: alertId },
    );
    return result.getRowObjectsJS().map((row) => ({
      alertId: String(row.alert_id),
      type: String(row.type) as AlertEventType,
      at: Number(row.event_at),
      actor: String(row.actor),
      alert: JSON.parse(String(row.alert_json)) as Alert,
      ...(row.details_json
        ? { details: JSON.parse(String(row.details_json)) as Record<string, unknown> }
        : {}),
    }));
  }

  private async selectAlerts(tail: string, values: Record<string, string | bigint>): Promise<Alert[]> {
    const result = await this.reader.runAndReadAll(`SELECT alert_json FROM alerts ${tail}`, values);
    return result.getRowObjectsJS().map((row) => JSON.parse(String(row.alert_json)) as Alert);
  }
}
