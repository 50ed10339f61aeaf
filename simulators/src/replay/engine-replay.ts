import { type Alert, orderSchema, type StoredOrder, type TelemetrySample } from '@pumpwatch/protocol';
import { ScenarioPlayer } from '../scenario-player.js';
import type { Scenario } from '../scenarios.js';

/** An alert transition as the engine reports it (the server's AlertTransition has this shape and more). */
export interface ReplayTransition {
  type: string;
  alert: Alert;
}

/** What the server knows of a pump and its hub when it checks liveness (the server's LivenessInput). */
export interface ReplayLivenessInput {
  latest: TelemetrySample | null;
  lastSeen: number | null;
  hub?: { online: boolean; lastHeardAt: number };
}

/**
 * The port a replay drives: the server's EngineCore fits it as is. Declared here so the simulators do
 * not depend on the server; the caller passes `new EngineCore(...)`.
 */
export interface ReplayEngine {
  onSample(hubId: string, pumpId: string, sample: TelemetrySample, serverNow: number): ReplayTransition[];
  checkLiveness(hubId: string, pumpId: string, input: ReplayLivenessInput, now: number): ReplayTransition[];
  apply(alert: Alert): void;
  setOrder(pumpId: string, order: StoredOrder | null): void;
}

export interface ReplayOptions {
  seed: number;
  startTs: number;
  durationMs: number;
  /** Sample interval in event time (default 1000 ms, the gateway's default). */
  intervalMs?: number;
  /** How often the server's liveness timer runs, in event time (default 1000 ms, as the server). */
  livenessEveryMs?: number;
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
 * Replays a scenario through an alert engine as fast as the CPU allows, entirely in event time: the hub
 * clock is the server clock (no network delay), samples go to `onSample`, and the liveness check runs
 * every `livenessEveryMs` with what the server would know: the last sample's arrival, the hub's retained
 * status (online while it publishes; its Last Will from `scenario.hub.offlineAtMs`). The scenario's
 * order, if any, is set before the first sample, as a runner PUTs it to the server. Every transition is
 * applied at once, as the benchmark does.
 */
export function replayScenario(
  engine: ReplayEngine,
  scenario: Scenario,
  options: ReplayOptions,
): ReplayResult {
  const { startTs, durationMs, intervalMs = 1000, livenessEveryMs = 1000 } = options;
  const hubId = options.hubId ?? 'replay-hub';
  const pumpId = options.pumpId ?? 'replay-pump';
  const player = new ScenarioPlayer(scenario, { seed: options.seed, startTs });
  if (scenario.order) engine.setOrder(pumpId, orderFor(pumpId, scenario, startTs));

  const result: ReplayResult = { raises: [], transitions: [], samples: 0 };
  const take = (transitions: ReplayTransition[], now: number) => {
    for (let i = 0; i < transitions.length; i += 1) {
      const transition = transitions[i] as ReplayTransition;
      engine.apply(transition.alert);
      result.transitions.push(transition);
      if (transition.type === 'raised') {
        const { rule, priority } = transition.alert;
        result.raises.push({ rule, priority, atMs: now - startTs });
      }
    }
  };

  let latest: TelemetrySample | null = null;
  let lastSeen: number | null = null;
  let hubOnline = true;
  let hubHeardAt = startTs;
  let nextLiveness = startTs;
  const endTs = startTs + durationMs;
  // Samples and liveness ticks interleave in event time order; both grids start at startTs.
  for (let ts = startTs; ts <= endTs; ts += intervalMs) {
    while (nextLiveness < ts) {
      take(engine.checkLiveness(hubId, pumpId, livenessInput(), nextLiveness), nextLiveness);
      nextLiveness += livenessEveryMs;
    }
    const online = player.hubOnlineAt(ts);
    if (online) hubHeardAt = ts;
    hubOnline = online;
    const sample = player.sampleAt(ts);
    if (sample) {
      result.samples += 1;
      lastSeen = ts;
      if (!latest || sample.ts >= latest.ts) latest = sample;
      take(engine.onSample(hubId, pumpId, sample, ts), ts);
    }
  }
  while (nextLiveness <= endTs) {
    take(engine.checkLiveness(hubId, pumpId, livenessInput(), nextLiveness), nextLiveness);
    nextLiveness += livenessEveryMs;
  }
  return result;

  function livenessInput(): ReplayLivenessInput {
    return { latest, lastSeen, hub: { online: hubOnline, lastHeardAt: hubHeardAt } };
  }
}

/** The scenario's order as the server stores it after `PUT /api/pumps/{pumpId}/order`. */
export function orderFor(pumpId: string, scenario: Scenario, at: number): StoredOrder {
  return { ...orderSchema.parse(scenario.order), pumpId, updatedAt: at, updatedBy: 'scenario' };
}
