import type { Alert, Priority, PumpState, PumpView } from '@pumpwatch/protocol';
import {
  formatAgo,
  formatClock,
  formatLastSeen,
  formatPercentValue,
  formatPressure,
  formatRate,
  formatVolumeOf,
  fraction,
} from './format.js';
import { PRIORITY_LABELS, PRIORITY_SHORT, RULE_LABELS, STATE_LABELS, STATUS_LABELS } from './labels.js';
import { sortAlerts } from './order.js';
import { pumpKey } from './state.js';

/**
 * View models: everything the DOM shows, as plain strings and numbers, computed by pure functions so
 * they are unit-tested without a browser. The render/ modules only copy these into elements.
 */

export type Level = 'ok' | 'warn' | 'alarm';

export interface AlertChipView {
  id: string;
  priority: Priority;
  status: Alert['status'];
  text: string;
}

export interface PumpCardView {
  key: string;
  pumpId: string;
  hubId: string;
  online: boolean;
  connectivity: string;
  state: PumpState | null;
  stateLabel: string;
  rateText: string;
  volumeText: string;
  /** Volume infused over VTBI, 0..1; null without a VTBI. */
  volumeFraction: number | null;
  pressureText: string;
  /** Pressure over occlusion limit, 0..1; null without both. */
  pressureFraction: number | null;
  pressureLevel: Level;
  batteryText: string;
  batteryLevel: Level;
  lastSeenText: string;
  /** Priority of the worst open alert, or null. */
  worst: Priority | null;
  /** Whether the worst alert still waits for acknowledgement. */
  worstUnacknowledged: boolean;
  alerts: AlertChipView[];
}

const DASH = '—';

/** Battery thresholds of the battery_low rule (ALARMS.md: ≤ 20 % medium, ≤ 5 % high). */
const BATTERY_LOW_PCT = 20;
const BATTERY_EMPTY_PCT = 5;
/** occlusion_developing starts at 50 % of the limit (ALARMS.md, after Alaris). */
const PRESSURE_WARN_FRACTION = 0.5;

export function pumpCardView(pump: PumpView, openAlerts: readonly Alert[], now: number): PumpCardView {
  const s = pump.latest;
  const alerts = sortAlerts(openAlerts.filter((a) => a.status !== 'resolved'));
  const worst = alerts[0] ?? null;
  const pressureFraction = fraction(s?.pressure_mmHg, s?.occlusionLimit_mmHg);
  return {
    key: pumpKey(pump.hubId, pump.pumpId),
    pumpId: pump.pumpId,
    hubId: pump.hubId,
    online: pump.online,
    connectivity: !pump.hubOnline ? 'Hub offline' : pump.online ? 'Online' : 'Offline',
    state: s?.state ?? null,
    // An offline pump's last sample may no longer be true: say that it is the last known state.
    stateLabel: s ? `${pump.online ? '' : 'Last known: '}${STATE_LABELS[s.state]}` : 'No data yet',
    rateText: s ? formatRate(s.rate_mL_h) : DASH,
    volumeText: s ? formatVolumeOf(s.vi_mL, s.vtbi_mL) : DASH,
    volumeFraction: fraction(s?.vi_mL, s?.vtbi_mL),
    pressureText: pressureText(s?.pressure_mmHg, s?.occlusionLimit_mmHg),
    pressureFraction,
    pressureLevel:
      pressureFraction === null
        ? 'ok'
        : pressureFraction >= 1
          ? 'alarm'
          : pressureFraction >= PRESSURE_WARN_FRACTION
            ? 'warn'
            : 'ok',
    batteryText: batteryText(s?.battery_pct, s?.onBattery),
    batteryLevel:
      s?.battery_pct === undefined
        ? 'ok'
        : s.battery_pct <= BATTERY_EMPTY_PCT
          ? 'alarm'
          : s.battery_pct <= BATTERY_LOW_PCT
            ? 'warn'
            : 'ok',
    lastSeenText: formatLastSeen(pump.lastSeen, now),
    worst: worst?.priority ?? null,
    worstUnacknowledged: worst
      ? alerts.some((a) => a.priority === worst.priority && a.status === 'active')
      : false,
    alerts: alerts.map((a) => ({
      id: a.id,
      priority: a.priority,
      status: a.status,
      text: `${RULE_LABELS[a.rule]}${a.status === 'acknowledged' ? ' (acknowledged)' : ''}`,
    })),
  };
}

function pressureText(pressure: number | undefined, limit: number | undefined): string {
  if (pressure === undefined) return DASH;
  if (limit === undefined) return formatPressure(pressure);
  return `${Math.round(pressure)} / ${formatPressure(limit)}`;
}

function batteryText(pct: number | undefined, onBattery: boolean | undefined): string {
  if (pct === undefined) return onBattery ? 'On battery' : DASH;
  const value = formatPercentValue(pct);
  if (onBattery === undefined) return value;
  return `${value}, ${onBattery ? 'on battery' : 'mains'}`;
}

export interface AlertRowView {
  id: string;
  priority: Priority;
  status: Alert['status'];
  priorityLabel: string;
  priorityShort: string;
  ruleLabel: string;
  message: string;
  pumpText: string;
  raisedText: string;
  statusText: string;
  /** Extra facts worth a glance: latched, escalated, audio paused. */
  notes: string[];
  canAcknowledge: boolean;
  /** Accessible name of the acknowledge button: which alert it acknowledges. */
  ackLabel: string;
  /** IEC 60601-1-8: active high and medium alarms flash; acknowledged ones no longer do. */
  flashing: boolean;
}

export function alertRowView(alert: Alert, now: number, timeZone?: string): AlertRowView {
  const rule = RULE_LABELS[alert.rule];
  const pumpText = `${alert.pumpId} on ${alert.hubId}`;
  const notes: string[] = [];
  if (alert.latched) notes.push('Condition ended — kept until acknowledged');
  if (alert.escalationLevel > 0) notes.push(`Escalated to on-call tier ${alert.escalationLevel + 1}`);
  if (alert.snoozedUntil !== null && alert.snoozedUntil > now) {
    notes.push(`Audio paused until ${formatClock(alert.snoozedUntil, timeZone)}`);
  }
  return {
    id: alert.id,
    priority: alert.priority,
    status: alert.status,
    priorityLabel: PRIORITY_LABELS[alert.priority],
    priorityShort: PRIORITY_SHORT[alert.priority],
    ruleLabel: rule,
    message: alert.message,
    pumpText,
    raisedText: `Raised ${formatClock(alert.raisedAt, timeZone)} (${formatAgo(now - alert.raisedAt)})`,
    statusText: statusText(alert, timeZone),
    notes,
    canAcknowledge: alert.status === 'active',
    ackLabel: `Acknowledge ${PRIORITY_LABELS[alert.priority].toLowerCase()} alert: ${rule} on ${pumpText}`,
    flashing: alert.status === 'active' && alert.priority !== 'low',
  };
}

function statusText(alert: Alert, timeZone?: string): string {
  if (alert.status === 'acknowledged') {
    const who = alert.acknowledgedBy ?? 'unknown';
    const when = alert.acknowledgedAt === null ? '' : ` at ${formatClock(alert.acknowledgedAt, timeZone)}`;
    return `Acknowledged by ${who}${when}`;
  }
  if (alert.status === 'resolved' && alert.resolvedAt !== null) {
    return `Resolved at ${formatClock(alert.resolvedAt, timeZone)}`;
  }
  return STATUS_LABELS[alert.status];
}

export interface SummaryView {
  /** Active (unacknowledged) alerts by priority. */
  active: Record<Priority, number>;
  acknowledged: number;
  text: string;
}

export function summaryView(alerts: readonly Alert[]): SummaryView {
  const active: Record<Priority, number> = { high: 0, medium: 0, low: 0 };
  let acknowledged = 0;
  for (const a of alerts) {
    if (a.status === 'active') active[a.priority]++;
    else if (a.status === 'acknowledged') acknowledged++;
  }
  const total = active.high + active.medium + active.low;
  const text =
    total === 0
      ? `No unacknowledged alerts${acknowledged ? `, ${acknowledged} acknowledged` : ''}`
      : `${total} unacknowledged: ${active.high} high, ${active.medium} medium, ${active.low} low`;
  return { active, acknowledged, text };
}
