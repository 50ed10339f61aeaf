import type { Alert, Priority, PumpState, PumpView, StoredOrder, TelemetrySample } from '@pumpwatch/protocol';
import { careView } from './care-view.js';
import {
  formatDuration,
  formatLastSeen,
  formatPercentValue,
  formatPressure,
  formatRate,
  formatSignedPercent,
  formatVolume,
  formatVolumeOf,
  fraction,
} from './format.js';
import { RULE_LABELS, STATE_LABELS } from './labels.js';
import { sortAlerts } from './order.js';
import { patientHref, pumpHref } from './route.js';

/** View model of a pump card (grid and detail view): every string it shows, from pure functions. */

export type Level = 'ok' | 'warn' | 'alarm';

/** `stale`: the console itself is not live, so nothing it shows about the pump is current. */
export type ConnectivityState = 'online' | 'offline' | 'hub-offline' | 'link-down' | 'stale';

const CONNECTIVITY_TEXT: Record<ConnectivityState, string> = {
  online: 'Online',
  offline: 'Offline',
  'hub-offline': 'Hub offline',
  'link-down': 'Pump link down',
  stale: 'Unknown: console not live',
};

export interface PumpCardOptions {
  /** Whether the console's data is live (connection.ts `isLive`); true when not given. */
  live?: boolean;
  /** "Day 12 of 42 · next dose 14:00, in 2 h 05 min" (care/therapy-line.ts), when the therapy is known. */
  therapyText?: string | null;
}

/**
 * A newest sample stamped this far after the server's clock means the pump's (or hub's) clock is ahead,
 * or was ahead and has been set back. The server keeps the sample with the highest `ts` as the pump's
 * `latest`, so after a clock set back the pump frames keep carrying that old sample until the clock
 * catches up: the card would read "measuring…" and show frozen values for as long (issue 13, defect).
 */
export const CLOCK_AHEAD_MS = 2 * 60_000;

export interface AlertChipView {
  id: string;
  priority: Priority;
  status: Alert['status'];
  text: string;
}

export interface PumpCardView {
  /** The pump id: unique across the deployment (docs/protocol.md, "Pump identity"). */
  key: string;
  pumpId: string;
  hubId: string;
  /** The patient's display name (initials for a viewer), or "Unassigned pump": the card's title. */
  patientText: string;
  /** False when no patient is named (unassigned pump, older server). */
  assigned: boolean;
  /**
   * True only when the pump itself reports, its hub is online and the console's data is live: a pump
   * must never look online behind an offline hub or on a console that is not receiving data.
   */
  online: boolean;
  /** The hub reports that it cannot reach the pump (serial unplugged, BLE out of range). */
  linkDown: boolean;
  /** What the connectivity chip says, in words. */
  connectivity: string;
  connectivityState: ConnectivityState;
  /** The pump detail route. */
  href: string;
  /** The therapy's drug ("Ceftriaxone 2 g"), else the order's; null when neither is known. */
  drugText: string | null;
  /** "Day 12 of 42 · next dose 14:00, in 2 h 05 min"; null when unknown. */
  therapyText: string | null;
  /** The patient page, when a patient is named. */
  patientHref: string | null;
  /** "Pump clock 20 min ahead of the server: readings may be out of date"; null when in step. */
  clockWarning: string | null;
  /** "Ordered 100 mL/h, 250 mL", when an order is set. */
  orderText: string | null;
  /** Why the programming disagrees with the order, or null. */
  orderWarning: string | null;
  state: PumpState | null;
  stateLabel: string;
  /** Programmed rate. */
  rateText: string;
  /** Delivered rate (ΔVI / Δt), "measuring…" until the console has seen enough samples. */
  deliveredText: string;
  deliveredLevel: Level;
  volumeText: string;
  /** Volume infused over VTBI, 0..1; null without a VTBI. */
  volumeFraction: number | null;
  /** "2 h 05 min left", "VTBI reached"; null without a VTBI. */
  remainingText: string | null;
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

/** Battery thresholds of battery_low: ≤ 20 % medium, ≤ 5 % high (docs/clinical-reference.md#rule-catalog). */
const BATTERY_LOW_PCT = 20;
const BATTERY_EMPTY_PCT = 5;
/** occlusion_developing's line: 45 % of the limit (server params.ts, docs/clinical-reference.md#occlusion). */
const PRESSURE_WARN_FRACTION = 0.45;
/**
 * rate_deviation (docs/clinical-reference.md#rule-catalog): delivered differs from programmed by more than
 * max(10 %, 0.2 mL/h).
 */
const RATE_DEVIATION_FRACTION = 0.1;
const RATE_DEVIATION_MIN_mL_h = 0.2;

/**
 * `delivered` is the rate measured from the samples the console has seen (delivered.ts): undefined when
 * the caller does not track it, null while still measuring.
 */
export function pumpCardView(
  pump: PumpView,
  openAlerts: readonly Alert[],
  now: number,
  delivered?: number | null,
  options: PumpCardOptions = {},
): PumpCardView {
  const s = pump.latest;
  const alerts = sortAlerts(openAlerts.filter((a) => a.status !== 'resolved'));
  const worst = alerts[0] ?? null;
  const pressureFraction = fraction(s?.pressure_mmHg, s?.occlusionLimit_mmHg);
  const linkDown = pump.link === 'down';
  const order = pump.order ?? null;
  const connectivityState = connectivityOf(pump, alerts, options.live ?? true);
  const online = connectivityState === 'online';
  const aheadMs = s ? s.ts - now : 0;
  const clockAhead = aheadMs > CLOCK_AHEAD_MS;
  const delivery = deliveredView(s, online, delivered, clockAhead);
  const care = careView(pump.care?.patient, pump.care?.therapy, order?.drug);
  const patientId = pump.care?.patient?.id;
  return {
    key: pump.pumpId,
    pumpId: pump.pumpId,
    hubId: pump.hubId,
    patientText: care.patientText,
    assigned: care.assigned,
    online,
    linkDown,
    connectivity: CONNECTIVITY_TEXT[connectivityState],
    connectivityState,
    href: pumpHref(pump.pumpId),
    drugText: care.drugText,
    therapyText: options.therapyText ?? null,
    patientHref: patientId ? patientHref(patientId) : null,
    clockWarning: clockAhead
      ? `Pump clock ${formatDuration(aheadMs)} ahead of the server: readings may be out of date`
      : null,
    orderText: order ? `Ordered ${formatRate(order.rate_mL_h)}, ${formatVolume(order.vtbi_mL)}` : null,
    orderWarning: order && s ? orderWarning(order, s.rate_mL_h, s.vtbi_mL) : null,
    state: s?.state ?? null,
    // An offline pump's last sample may no longer be true: say that it is the last known state.
    stateLabel: s ? `${online ? '' : 'Last known: '}${STATE_LABELS[s.state]}` : 'No data yet',
    rateText: s ? formatRate(s.rate_mL_h) : DASH,
    deliveredText: delivery.text,
    deliveredLevel: delivery.level,
    volumeText: s ? formatVolumeOf(s.vi_mL, s.vtbi_mL) : DASH,
    volumeFraction: fraction(s?.vi_mL, s?.vtbi_mL),
    remainingText: s ? remainingText(s) : null,
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

/**
 * The pump's connectivity as the console can vouch for it. The server's `online` alone is not enough: a
 * pump view can say `online: true` beside `hubOnline: false` (a hub that never sent its status), the
 * view can lag the `hub_offline` / `pump_offline` alert frames (alert frames are the source of truth),
 * and nothing is current while the console is not live.
 */
export function connectivityOf(
  pump: PumpView,
  openAlerts: readonly Alert[],
  live: boolean,
): ConnectivityState {
  if (!live) return 'stale';
  // A latched alert's condition has ended: it waits for acknowledgement, it does not say "offline" now.
  const raised = (rule: Alert['rule']) =>
    openAlerts.some((a) => a.rule === rule && a.status !== 'resolved' && !a.latched);
  if (!pump.hubOnline || raised('hub_offline')) return 'hub-offline';
  if (pump.link === 'down') return 'link-down';
  if (!pump.online || raised('pump_offline')) return 'offline';
  return 'online';
}

function deliveredView(
  s: TelemetrySample | null,
  online: boolean,
  delivered: number | null | undefined,
  clockAhead: boolean,
): { text: string; level: Level } {
  if (!s || !online || delivered === undefined) return { text: DASH, level: 'ok' };
  // Not "measuring…": with the newest sample stamped ahead, no new one may come for as long (CLOCK_AHEAD_MS).
  if (delivered === null && clockAhead) return { text: 'unknown: pump clock ahead', level: 'warn' };
  if (delivered === null) return { text: 'measuring…', level: 'ok' };
  const programmed = s.state === 'infusing' ? s.rate_mL_h : 0;
  const diff = delivered - programmed;
  const limit = Math.max(RATE_DEVIATION_FRACTION * programmed, RATE_DEVIATION_MIN_mL_h);
  if (Math.abs(diff) <= limit) return { text: formatRate(delivered), level: 'ok' };
  const relative = programmed > 0 ? ` (${formatSignedPercent(diff / programmed)})` : '';
  return { text: `${formatRate(delivered)}${relative}`, level: 'warn' };
}

/** Time to VTBI at the programmed rate, as the pump itself computes it (IEEE 11073 MDC_TIME_PD_REMAIN). */
export function remainingText(s: TelemetrySample): string | null {
  if (s.vtbi_mL === undefined) return null;
  const left_mL = s.vtbi_mL - s.vi_mL;
  if (left_mL <= 0 || s.state === 'complete' || s.state === 'kvo') return 'VTBI reached';
  if (!(s.rate_mL_h > 0)) return `${formatVolume(left_mL)} left`;
  const time = formatDuration((left_mL / s.rate_mL_h) * 3_600_000);
  return s.state === 'infusing' ? `${time} left` : `${time} left at the set rate (not infusing)`;
}

function orderWarning(order: StoredOrder, rate_mL_h: number, vtbi_mL: number | undefined): string | null {
  const tol = order.tolerance_pct / 100;
  const off = (value: number, ordered: number) => Math.abs(value - ordered) > ordered * tol;
  if (off(rate_mL_h, order.rate_mL_h)) return `Programmed ${formatRate(rate_mL_h)} differs from the order`;
  if (vtbi_mL !== undefined && off(vtbi_mL, order.vtbi_mL)) {
    return `Programmed VTBI ${formatVolume(vtbi_mL)} differs from the order`;
  }
  return null;
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
