import type { RuleId, TelemetrySample } from '@pumpwatch/protocol';
import type { Condition } from './describe.js';
import type { EngineParams } from './params.js';

export const livenessRuleIds: readonly RuleId[] = ['pump_offline', 'hub_offline'];

export interface LivenessInput {
  latest: TelemetrySample | null;
  /** Server clock of the pump's last valid sample. */
  lastSeen: number | null;
  /** Hub state as far as the server knows; undefined when the hub never sent a status. */
  hub?: { online: boolean; lastHeardAt: number };
}

/** Hub heartbeat missing for longer than this → hub offline (docs/clinical-reference.md#rule-catalog). */
export const HUB_SILENT_AFTER_MS = 60_000;

/**
 * Pure liveness check with the server clock (the only rules that use it): a silent pump or hub is a
 * missed alert waiting to happen, so it must be loud. pump_offline is not raised while the hub is offline:
 * hub_offline already says why, once per pump, without doubling the alerts.
 */
export function livenessConditions(
  input: LivenessInput,
  now: number,
  params: EngineParams,
): Map<RuleId, Condition> {
  const conditions = new Map<RuleId, Condition>();
  const wasInfusing = input.latest?.state === 'infusing';
  const hubDown =
    input.hub !== undefined && (!input.hub.online || now - input.hub.lastHeardAt > HUB_SILENT_AFTER_MS);
  if (hubDown && input.hub) {
    conditions.set('hub_offline', {
      rule: 'hub_offline',
      // Catalog: medium technical. Raised to high for a pump that was infusing: nothing watches it now,
      // the same risk as pump_offline while infusing.
      priority: wasInfusing ? 'high' : 'medium',
      message: 'Home hub offline: no data from this pump is reaching pumpwatch. Call the patient.',
      details: { hubOnline: input.hub.online, lastHeardAt: input.hub.lastHeardAt },
    });
    return conditions;
  }
  const silentFor = input.lastSeen === null ? null : now - input.lastSeen;
  if (silentFor !== null && silentFor > params.liveness.pumpOfflineAfterMs) {
    conditions.set('pump_offline', {
      rule: 'pump_offline',
      priority: wasInfusing ? 'high' : 'medium',
      message: 'Pump silent: no data from this pump. Check the pump and its connection.',
      details: { lastSeen: input.lastSeen, silentForMs: silentFor, lastState: input.latest?.state ?? null },
    });
  }
  return conditions;
}
