import {
  type Alert,
  DEFAULT_SNOOZE_MS,
  MAX_SNOOZE_MS,
  PRIORITY_RANK,
  type Priority,
} from '@pumpwatch/protocol';

/**
 * What the console's speaker should do, as pure functions of the alerts and the pauses in force. The
 * Web Audio player (audio.ts) only plays what `alarmDemand` asks for.
 *
 * IEC 60601-1-8 (docs/clinical-reference.md#alarm-priorities): high priority sounds a 10-pulse burst, medium
 * a 3-pulse burst; low priority makes no sound here. A signal repeats while an alert that needs it is active
 * (not acknowledged) and not snoozed; acknowledging or snoozing silences that alert only.
 */

export type Tone = 'high' | 'medium';

export interface Pulse {
  /** Start, ms after the burst starts. */
  at: number;
  /** Length of the pulse, ms. */
  ms: number;
}

export interface BurstPattern {
  tone: Tone;
  pulses: readonly Pulse[];
  /** A new burst starts this long after the previous one started. */
  repeatMs: number;
  /** Fundamental frequency (Hz); the player adds harmonics, as the standard asks (≥ 4 harmonics). */
  frequencyHz: number;
}

/**
 * IEC 60601-1-8 burst shapes. High: pulses of 150 ms (standard 75–200 ms) every 250 ms in the rhythm
 * x-x-x--x-x, a pause, then x-x-x--x-x again: 10 pulses; repeated every 6 s (interburst 2.5–15 s).
 * Medium: 3 pulses of 200 ms (125–250 ms) 400 ms apart, repeated every 10 s (2.5–30 s).
 */
function groups(pattern: readonly number[], pulseMs: number): Pulse[] {
  return pattern.map((at) => ({ at, ms: pulseMs }));
}
export const BURSTS: Record<Tone, BurstPattern> = {
  high: {
    tone: 'high',
    pulses: groups([0, 250, 500, 1000, 1250, 2250, 2500, 2750, 3250, 3500], 150),
    repeatMs: 6_000,
    frequencyHz: 698,
  },
  medium: {
    tone: 'medium',
    pulses: groups([0, 400, 800], 200),
    repeatMs: 10_000,
    frequencyHz: 523,
  },
};

/** Not live for this long after having had data: the console sounds a medium (technical) alarm. */
export const CONNECTION_ALARM_AFTER_MS = 30_000;

/**
 * A session that ended on its own (expired, revoked, refused) leaves the console blind as surely as a
 * lost connection, so it sounds the same way: medium, 30 s after it ended, until someone logs in. A
 * deliberate logout (`endedAt` null) is quiet.
 */
export function sessionEndedTone(endedAt: number | null, now: number): Tone | null {
  return endedAt !== null && now - endedAt >= CONNECTION_ALARM_AFTER_MS ? 'medium' : null;
}

/** Audio paused on this console until `until` (browser clock), bounded like a snooze. */
export interface AudioPause {
  startedAt: number;
  until: number;
}

export function startAudioPause(now: number, durationMs: number = DEFAULT_SNOOZE_MS): AudioPause {
  return { startedAt: now, until: now + Math.min(Math.max(0, durationMs), MAX_SNOOZE_MS) };
}

export interface AlarmInputs {
  alerts: Iterable<Alert>;
  /** Server clock now: `snoozedUntil` is server time. */
  serverNow: number;
  /** Browser clock now: local pauses and snoozes are browser time. */
  now: number;
  pause: AudioPause | null;
  /** Alert id → browser time until which this console alone keeps it quiet (server could not snooze). */
  localSnoozes: ReadonlyMap<string, number>;
  /** Browser time since which the console has not been live, null while live or before any data. */
  notLiveSince: number | null;
}

export type AlarmReason = 'alert' | 'connection';

export interface AlarmDemand {
  /** What to sound now; null for silence. */
  tone: Tone | null;
  reason: AlarmReason | null;
  /** Alerts that would sound if nothing were paused. */
  sounding: number;
  /** True when something would sound but the console-wide pause holds it. */
  paused: boolean;
}

/** An alert that calls for sound: active (not acknowledged), high or medium, not snoozed anywhere. */
export function needsSound(alert: Alert, serverNow: number, now: number, local: ReadonlyMap<string, number>) {
  if (alert.status !== 'active' || alert.priority === 'low') return false;
  if (alert.snoozedUntil !== null && alert.snoozedUntil > serverNow) return false;
  const localUntil = local.get(alert.id);
  return !(localUntil !== undefined && localUntil > now);
}

export function alarmDemand(inputs: AlarmInputs): AlarmDemand {
  let worst: Priority | null = null;
  let sounding = 0;
  for (const a of inputs.alerts) {
    if (!needsSound(a, inputs.serverNow, inputs.now, inputs.localSnoozes)) continue;
    sounding++;
    if (worst === null || PRIORITY_RANK[a.priority] > PRIORITY_RANK[worst]) worst = a.priority;
  }
  let tone: Tone | null = worst === 'high' || worst === 'medium' ? worst : null;
  let reason: AlarmReason | null = tone ? 'alert' : null;
  // Silence is itself an alert (README): a console that lost its data says so out loud, as medium.
  if (
    tone === null &&
    inputs.notLiveSince !== null &&
    inputs.now - inputs.notLiveSince >= CONNECTION_ALARM_AFTER_MS
  ) {
    tone = 'medium';
    reason = 'connection';
  }
  const paused = tone !== null && inputs.pause !== null && inputs.pause.until > inputs.now;
  return { tone: paused ? null : tone, reason, sounding, paused };
}

/**
 * Whether an alert transition is a NEW alarm signal: newly active, or active at a higher priority or
 * on-call tier than before. A new alarm ends the console-wide audio pause and, in a hidden tab, raises
 * a browser notification.
 */
export function isNewAlarm(before: Alert | undefined, after: Alert): boolean {
  if (after.status !== 'active') return false;
  if (before?.status !== 'active') return true;
  return (
    PRIORITY_RANK[after.priority] > PRIORITY_RANK[before.priority] ||
    after.escalationLevel > before.escalationLevel
  );
}

/** Local snoozes that have expired are dropped, so the map cannot grow without bound. */
export function pruneLocalSnoozes(local: ReadonlyMap<string, number>, now: number): Map<string, number> {
  const next = new Map<string, number>();
  for (const [id, until] of local) if (until > now) next.set(id, until);
  return next;
}
