import type { Condition } from '../alerts/engine/describe.js';

/** Why a team is unreachable now, by team id: `alertIds` are the alerts that reached nobody. */
export type Unreachable = ReadonlyMap<string, { reason: string; alertIds: readonly string[] }>;

/** Takes the teams unreachable now; raises each one's alarm and resolves those that are reachable again. */
export type TeamReachability = (unreachable: Unreachable, now: number) => void;

const WHY: Record<string, string> = {
  nobody_on_call: 'nobody is on call',
  every_channel_failed: 'no page reached anyone: every step and channel failed',
  nobody_answered: 'every step of the escalation policy was paged and nobody acknowledged',
};

/** The nobody_reachable condition of one team, in words for every console. */
export function unreachableCondition(
  teamName: string,
  why: { reason: string; alertIds: readonly string[] },
): Condition {
  return {
    rule: 'nobody_reachable',
    priority: 'high',
    message: `Nobody reachable for ${teamName}: ${WHY[why.reason] ?? why.reason}. Call the on-call nurse or the team lead now.`,
    details: { reason: why.reason, alertIds: [...why.alertIds] },
  };
}

/**
 * The ward's side of team reachability: raises a team's nobody_reachable alarm while it is
 * unreachable (its details kept current) and resolves it once it is not. Raising is idempotent in the
 * ward (one alert per team while the condition lasts), so calling every second costs nothing new.
 */
export function teamAlarms(deps: {
  teamName: (teamId: string) => string;
  set: (teamId: string, condition: Condition | null) => void;
  /** Teams whose alarm is open already (restored from the store after a restart). */
  alarmed?: Iterable<string>;
}): TeamReachability {
  const alarmed = new Set<string>(deps.alarmed ?? []);
  return (unreachable) => {
    for (const [teamId, why] of unreachable) {
      deps.set(teamId, unreachableCondition(deps.teamName(teamId), why));
      alarmed.add(teamId);
    }
    for (const teamId of [...alarmed]) {
      if (unreachable.has(teamId)) continue;
      deps.set(teamId, null);
      alarmed.delete(teamId);
    }
  };
}
