import { type Alert, PRIORITY_RANK, type PumpView } from '@pumpwatch/protocol';

/**
 * Inbox order: priority (high first), a patient's alert before an alarm about pumpwatch itself, then
 * raisedAt, OLDEST first: the alert that has waited longest is
 * on top, and a new alert never pushes down the one a nurse is about to acknowledge. Status does not
 * move a row, so acknowledging never makes the list jump under the keyboard focus. Id breaks ties so
 * the order is total and stable.
 */
export function compareAlerts(a: Alert, b: Alert): number {
  return (
    PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] ||
    Number(isSystemAlarm(a)) - Number(isSystemAlarm(b)) ||
    a.raisedAt - b.raisedAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * An alarm about pumpwatch itself (nobody_reachable, on hub `pumpwatch`): after a patient's alert of the
 * same priority, so a phone's first screen is still the worst alert and its patient (docs/paging.md).
 */
export function isSystemAlarm(alert: Alert): boolean {
  return alert.hubId === 'pumpwatch';
}

export function sortAlerts(alerts: Iterable<Alert>): Alert[] {
  return [...alerts].sort(compareAlerts);
}

interface PumpSeverity {
  /** Rank of the worst open alert, 0 without any. */
  rank: number;
  /** Whether an alert of that rank still waits for acknowledgement. */
  unacknowledged: boolean;
  /** raisedAt of the oldest alert of that rank. */
  since: number;
}

function severity(alerts: readonly Alert[]): PumpSeverity {
  let rank = 0;
  let unacknowledged = false;
  let since = Number.POSITIVE_INFINITY;
  for (const a of alerts) {
    if (a.status === 'resolved') continue;
    const r = PRIORITY_RANK[a.priority];
    if (r > rank) {
      rank = r;
      unacknowledged = false;
      since = Number.POSITIVE_INFINITY;
    }
    if (r === rank) {
      unacknowledged ||= a.status === 'active';
      since = Math.min(since, a.raisedAt);
    }
  }
  return { rank, unacknowledged, since };
}

/**
 * Pump grid order, worst first: worst open alert's priority; at equal priority, one still unacknowledged
 * before one already acknowledged, then the longest-standing; then offline before online; then by hub
 * and pump id so the grid does not shuffle.
 */
export function sortPumps(
  pumps: Iterable<PumpView>,
  alertsOf: (pump: PumpView) => readonly Alert[],
): PumpView[] {
  const keyed = [...pumps].map((pump) => ({ pump, sev: severity(alertsOf(pump)) }));
  keyed.sort(
    (x, y) =>
      y.sev.rank - x.sev.rank ||
      Number(y.sev.unacknowledged) - Number(x.sev.unacknowledged) ||
      (x.sev.since === y.sev.since ? 0 : x.sev.since < y.sev.since ? -1 : 1) ||
      Number(x.pump.online) - Number(y.pump.online) ||
      naturalCompare(x.pump.hubId, y.pump.hubId) ||
      naturalCompare(x.pump.pumpId, y.pump.pumpId),
  );
  return keyed.map((k) => k.pump);
}

/** "pump-2" before "pump-10". */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
