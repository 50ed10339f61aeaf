import {
  doseAt,
  type IntermittentSchedule,
  lastDoseDue,
  nearestDose,
  type RuleId,
  type ScheduledDose,
  type TelemetrySample,
} from '@pumpwatch/protocol';
import type { Condition } from './describe.js';
import type { DoseTracker } from './dose-tracker.js';
import type { EngineParams } from './params.js';

/** Rules that need the pump's therapy; checked on the server clock like liveness (docs/care.md). */
export const careRuleIds: readonly RuleId[] = ['dose_missed', 'dose_early', 'unassigned_infusing'];

/** What the care rules know of one pump's therapy now. */
export interface CareRuleInput {
  /** The pump's open assignment; undefined when it has none. */
  current?: {
    from: number;
    /** The therapy is active (not planned, on hold or completed). */
    active: boolean;
    /** Intermittent schedules only: a continuous therapy has no doses to miss. */
    schedule: IntermittentSchedule | null;
    /** End of the therapy's last day; null while it has no end date. */
    endsAt: number | null;
  };
  /** Some pump of the ward has an assignment: patients are in use, so an unassigned pump is news. */
  careInUse: boolean;
  latest: TelemetrySample | null;
  doses: DoseTracker;
}

/**
 * Pure care rules on the server clock. dose_missed: the last dose due at least `lateAfterMs` ago has not
 * started (medium; high after `highAfterMs`); one alert for a run of missed doses, resolved when a dose
 * starts. Only doses due while the pump was watched are judged: after a restart, one due before it is
 * not (docs/care.md says so). dose_early: the latest dose started more than `earlyBeforeMs` before its time (low, until that
 * dose's scheduled end). unassigned_infusing: a pump infusing `afterMs` with no active therapy (low).
 */
export function careConditions(
  input: CareRuleInput,
  now: number,
  params: EngineParams,
): Map<RuleId, Condition> {
  const conditions = new Map<RuleId, Condition>();
  const { current } = input;
  if (current?.active && current.schedule)
    doseConditions(current, current.schedule, input, now, params, conditions);
  const since = input.doses.infusingSince();
  const infusing = input.latest?.state === 'infusing' && input.latest.rate_mL_h > 0;
  if (
    input.careInUse &&
    !current?.active &&
    infusing &&
    since !== null &&
    (input.latest as TelemetrySample).ts - since >= params.unassignedInfusing.afterMs
  ) {
    conditions.set('unassigned_infusing', {
      rule: 'unassigned_infusing',
      priority: 'low',
      message:
        'Pump infusing with no active therapy assigned: no order is checked and no patient is named. Assign the pump to its therapy.',
      details: { infusingSince: since, assigned: current !== undefined },
    });
  }
  return conditions;
}

function doseConditions(
  current: NonNullable<CareRuleInput['current']>,
  schedule: IntermittentSchedule,
  input: CareRuleInput,
  now: number,
  params: EngineParams,
  conditions: Map<RuleId, Condition>,
): void {
  const q = params.dose;
  // A dose may start a little before the pump was assigned to the therapy: early starts count from then.
  const attributed = attributeStarts(schedule, input.doses.startsSince(current.from - q.earlyBeforeMs));
  const late = lastDoseDue(schedule, now - q.lateAfterMs);
  const inTherapy = (dose: ScheduledDose) =>
    dose.dueAt >= current.from && (current.endsAt === null || dose.dueAt < current.endsAt);
  const watchedFrom = input.doses.observingSince();
  const watched = (dose: ScheduledDose) => watchedFrom !== null && dose.dueAt >= watchedFrom;
  if (late && inTherapy(late) && watched(late) && !attributed.has(late.index)) {
    const lateForMs = now - late.dueAt;
    conditions.set('dose_missed', {
      rule: 'dose_missed',
      priority: lateForMs > q.highAfterMs ? 'high' : 'medium',
      message: `Scheduled dose not started: due ${Math.round(lateForMs / 60_000)} min ago. Call the patient or caregiver.`,
      details: { doseIndex: late.index, dueAt: late.dueAt, lateForMs },
    });
  }
  const lastStart = [...attributed.entries()].at(-1);
  if (lastStart) {
    const [index, startedAt] = lastStart;
    const dose = doseAt(schedule, index);
    const earlyByMs = dose.dueAt - startedAt;
    if (earlyByMs > q.earlyBeforeMs && now < dose.endsAt && inTherapy(dose)) {
      conditions.set('dose_early', {
        rule: 'dose_early',
        priority: 'low',
        message: `Dose started ${Math.round(earlyByMs / 60_000)} min before its scheduled time. Check the schedule with the patient.`,
        details: { doseIndex: index, dueAt: dose.dueAt, startedAt, earlyByMs },
      });
    }
  }
}

/**
 * Which dose each start was: the one whose time is nearest, or, when that one already started, the
 * next (a second start near one dose is the next dose given early). Dose index → start time, in order.
 */
function attributeStarts(schedule: IntermittentSchedule, starts: readonly number[]): Map<number, number> {
  const byDose = new Map<number, number>();
  for (const startedAt of starts) {
    let index = nearestDose(schedule, startedAt).index;
    while (byDose.has(index)) index += 1;
    byDose.set(index, startedAt);
  }
  return byDose;
}
