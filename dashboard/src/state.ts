import type { Alert, PumpView, ServerFrame } from '@pumpwatch/protocol';

/**
 * What the console knows, rebuilt only from server frames. Pure: `applyFrame` returns a new state and
 * never touches the one it was given, so the DOM layer can compare old and new.
 */
export interface DashboardState {
  /**
   * Keyed by pump id alone: a pump id is unique across the deployment and a pump belongs to one hub at a
   * time (docs/protocol.md, "Pump identity"), so a pump moved to another hub replaces its old entry.
   */
  readonly pumps: ReadonlyMap<string, PumpView>;
  /**
   * Keyed by alert id. Resolved alerts are kept (up to `MAX_RESOLVED_KEPT`) as tombstones, so a late
   * pump frame that still lists one cannot bring it back as active; views filter them out.
   */
  readonly alerts: ReadonlyMap<string, Alert>;
  /** False until the first snapshot: before it, an empty grid means "unknown", not "no pumps". */
  readonly hasSnapshot: boolean;
  /** Server clock minus browser clock (ms), from the newest snapshot or heartbeat; 0 until known. */
  readonly clockOffsetMs: number;
}

export const MAX_RESOLVED_KEPT = 200;

export function emptyState(): DashboardState {
  return { pumps: new Map(), alerts: new Map(), hasSnapshot: false, clockOffsetMs: 0 };
}

/** Applies one frame that has already passed `serverFrameSchema`; `receivedAt` is the browser clock. */
export function applyFrame(state: DashboardState, frame: ServerFrame, receivedAt: number): DashboardState {
  switch (frame.type) {
    case 'snapshot':
      return applySnapshot(frame.pumps, frame.alerts, frame.serverTime, receivedAt, state.clockOffsetMs);
    case 'alert':
      return { ...state, alerts: pruneResolved(withAlert(state.alerts, frame.alert)) };
    case 'pumps':
      return applyPumps(state, frame.pumps);
    case 'heartbeat':
      return { ...state, clockOffsetMs: frame.serverTime - receivedAt };
  }
}

/**
 * A snapshot REPLACES everything: after a reconnect it is the only way to learn of alerts raised, changed
 * or resolved while the socket was down, so nothing from before it may survive.
 */
function applySnapshot(
  pumps: readonly PumpView[],
  alerts: readonly Alert[],
  serverTime: number | undefined,
  receivedAt: number,
  previousOffset: number,
): DashboardState {
  const pumpMap = new Map<string, PumpView>();
  const alertMap = new Map<string, Alert>();
  for (const pump of pumps) {
    pumpMap.set(pump.pumpId, pump);
    // The top-level list is authoritative; a pump's own list only fills gaps.
    for (const alert of pump.alerts) alertMap.set(alert.id, alert);
  }
  for (const alert of alerts) alertMap.set(alert.id, alert);
  return {
    pumps: pumpMap,
    alerts: pruneResolved(alertMap),
    hasSnapshot: true,
    clockOffsetMs: serverTime === undefined ? previousOffset : serverTime - receivedAt,
  };
}

/** One copy of the pump map per frame, however many pumps it carries (thousands at scale). */
function applyPumps(state: DashboardState, changed: readonly PumpView[]): DashboardState {
  const pumps = new Map(state.pumps);
  let alerts = state.alerts;
  for (const pump of changed) {
    pumps.set(pump.pumpId, pump);
    // Alert frames are the source of truth for alerts; a pump frame only adds ones we have never seen.
    for (const alert of pump.alerts) {
      if (!alerts.has(alert.id)) alerts = withAlert(alerts, alert);
    }
  }
  return { ...state, pumps, alerts };
}

function withAlert(alerts: ReadonlyMap<string, Alert>, alert: Alert): Map<string, Alert> {
  const next = new Map(alerts);
  next.set(alert.id, alert);
  return next;
}

function pruneResolved(alerts: Map<string, Alert>): Map<string, Alert> {
  const resolved = [...alerts.values()].filter((a) => a.status === 'resolved');
  if (resolved.length <= MAX_RESOLVED_KEPT) return alerts;
  resolved.sort((a, b) => (a.resolvedAt ?? a.raisedAt) - (b.resolvedAt ?? b.raisedAt));
  for (const old of resolved.slice(0, resolved.length - MAX_RESOLVED_KEPT)) alerts.delete(old.id);
  return alerts;
}

/** Alerts that still need a human: active or acknowledged, not resolved. */
export function openAlerts(state: DashboardState): Alert[] {
  return [...state.alerts.values()].filter((a) => a.status !== 'resolved');
}

/** Open alerts grouped by pump id, unsorted. */
export function openAlertsByPump(state: DashboardState): Map<string, Alert[]> {
  const byPump = new Map<string, Alert[]>();
  for (const alert of openAlerts(state)) {
    const list = byPump.get(alert.pumpId);
    if (list) list.push(alert);
    else byPump.set(alert.pumpId, [alert]);
  }
  return byPump;
}

/** The browser's estimate of the server clock now, for "last seen" ages measured in server time. */
export function serverNow(state: DashboardState, browserNow: number): number {
  return browserNow + state.clockOffsetMs;
}
