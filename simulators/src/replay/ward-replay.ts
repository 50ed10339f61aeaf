import { type Alert, orderSchema, type StoredOrder, type TelemetrySample } from '@pumpwatch/protocol';
import { ScenarioPlayer } from '../scenario-player.js';
import type { Scenario } from '../scenarios.js';

/** An alert transition as the ward reports it (the server's AlertTransition has this shape and more). */
export interface ReplayTransition {
  type: string;
  alert: Alert;
}

/**
 * What the ward answers to any input: its alert transitions, none when a sample was refused or a
 * duplicate (the other fields are there so the server's outcome types fit this one).
 */
export interface ReplayOutcome {
  readonly transitions?: readonly ReplayTransition[];
  readonly refused?: unknown;
  readonly duplicate?: unknown;
}

/**
 * The port a replay drives: the server's WardCore fits it as is, so a replay runs the same registry,
 * duplicate detection, liveness and rules as the server. Declared here so the simulators do not depend
 * on the server; the caller passes `new WardCore(...)`.
 */
export interface ReplayWard {
  onSample(hubId: string, pumpId: string, sample: TelemetrySample, now: number): ReplayOutcome;
  onHubStatus(hubId: string, status: { online: boolean; ts: number }, now: number): ReplayOutcome;
  tick(now: number): ReplayOutcome;
  setOrder(pumpId: string, order: StoredOrder | null): ReplayOutcome;
}

export interface ReplayOptions {
  seed: number;
  startTs: number;
  durationMs: number;
  /** Sample interval in event time (default 1000 ms, the gateway's default). */
  intervalMs?: number;
  /** How often the server's tick (escalation, liveness) runs, in event time (default 1000 ms, as the server). */
  livenessEveryMs?: number;
  /** How often the hub sends its status while online (default 15,000 ms, the gateway's heartbeat). */
  hubHeartbeatMs?: number;
  hubId?: string;
  pumpId?: string;
}

/**
 * One raise seen in a replay: `atMs` is when the server raised it (hub/server clock, from the start of
 * the trace); the alert's own `raisedAt` is the sample's event time, which a skewed pump clock shifts.
 */
export interface ReplayRaise {
  rule: string;
  priority: string;
  atMs: number;
}

export interface ReplayResult {
  raises: ReplayRaise[];
  transitions: ReplayTransition[];
  samples: number;
}

/**
 * Replays a scenario through the ward as fast as the CPU allows, entirely in event time: the hub clock
 * is the server clock (no network delay). The ward gets what the server would: each sample; the hub's
 * status, online at the start, every `hubHeartbeatMs` while it publishes and when that changes (its
 * Last Will from `scenario.hub.offlineAtMs`); and the server's tick every `livenessEveryMs`. The
 * scenario's order, if any, is set before the first sample, as a runner PUTs it to the server.
 */
export function replayScenario(ward: ReplayWard, scenario: Scenario, options: ReplayOptions): ReplayResult {
  const { startTs, durationMs, intervalMs = 1000, livenessEveryMs = 1000, hubHeartbeatMs = 15_000 } = options;
  const hubId = options.hubId ?? 'replay-hub';
  const pumpId = options.pumpId ?? 'replay-pump';
  const player = new ScenarioPlayer(scenario, { seed: options.seed, startTs });
  const result: ReplayResult = { raises: [], transitions: [], samples: 0 };
  const take = (outcome: ReplayOutcome, now: number) => {
    for (const transition of outcome.transitions ?? []) {
      result.transitions.push(transition);
      if (transition.type === 'raised') {
        const { rule, priority } = transition.alert;
        result.raises.push({ rule, priority, atMs: now - startTs });
      }
    }
  };
  if (scenario.order) take(ward.setOrder(pumpId, orderFor(pumpId, scenario, startTs)), startTs);

  let hubOnline = true;
  let lastStatusAt = startTs;
  take(ward.onHubStatus(hubId, { online: true, ts: startTs }, startTs), startTs);
  let nextTick = startTs;
  const endTs = startTs + durationMs;
  // Samples, statuses and ticks interleave in event time order; the grids start at startTs.
  for (let ts = startTs; ts <= endTs; ts += intervalMs) {
    while (nextTick < ts) {
      take(ward.tick(nextTick), nextTick);
      nextTick += livenessEveryMs;
    }
    const sample = player.sampleAt(ts);
    if (sample) {
      result.samples += 1;
      take(ward.onSample(hubId, pumpId, sample, ts), ts);
    }
    const online = player.hubOnlineAt(ts);
    if (online !== hubOnline || (online && ts - lastStatusAt >= hubHeartbeatMs)) {
      hubOnline = online;
      lastStatusAt = ts;
      take(ward.onHubStatus(hubId, { online, ts }, ts), ts);
    }
  }
  while (nextTick <= endTs) {
    take(ward.tick(nextTick), nextTick);
    nextTick += livenessEveryMs;
  }
  return result;
}

/** The scenario's order as the server stores it after `PUT /api/pumps/{pumpId}/order`. */
export function orderFor(pumpId: string, scenario: Scenario, at: number): StoredOrder {
  return { ...orderSchema.parse(scenario.order), pumpId, updatedAt: at, updatedBy: 'scenario' };
}
