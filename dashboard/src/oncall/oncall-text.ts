import type { TeamOnCallResponse } from '@pumpwatch/protocol';

/**
 * Who is on call, in words (docs/dashboard.md "On call"): the header's "On call: ana (until 07:00)" and
 * the times of shifts. Times are the team's wall clock (its IANA zone), as the rota itself is written:
 * a 07:00 handoff reads 07:00 on both sides of a daylight-saving change. Pure, so it is unit-tested.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone ?? ''}|${JSON.stringify(options)}`;
  let fmt = formats.get(key);
  if (!fmt) {
    try {
      fmt = new Intl.DateTimeFormat('en-GB', {
        hourCycle: 'h23',
        ...options,
        ...(timeZone ? { timeZone } : {}),
      });
    } catch {
      // A zone this browser does not know: the browser's own zone rather than no time at all.
      fmt = new Intl.DateTimeFormat('en-GB', { hourCycle: 'h23', ...options });
    }
    formats.set(key, fmt);
  }
  return fmt;
}

const DAY_MS = 24 * 3600_000;

/**
 * "07:00" within the next day, "Tue 07:00" within the week, "Tue 7 Apr 07:00" further away (or in the
 * past, where a weekday alone would be ambiguous).
 */
export function formatShiftTime(at: number, now: number, timeZone?: string): string {
  const time = format(timeZone, { hour: '2-digit', minute: '2-digit' }).format(at);
  const ahead = at - now;
  if (ahead >= 0 && ahead < DAY_MS) return time;
  if (ahead >= 0 && ahead < 6 * DAY_MS) return `${format(timeZone, { weekday: 'short' }).format(at)} ${time}`;
  return `${format(timeZone, { weekday: 'short', day: 'numeric', month: 'short' }).format(at)} ${time}`;
}

/** "Tue 7 Apr 19:00 – Wed 8 Apr 07:00": a shift or an override's hours, always with its dates. */
export function formatSpan(from: number, to: number, timeZone?: string): string {
  const day = format(timeZone, { weekday: 'short', day: 'numeric', month: 'short' });
  const time = format(timeZone, { hour: '2-digit', minute: '2-digit' });
  return `${day.format(from)} ${time.format(from)} – ${day.format(to)} ${time.format(to)}`;
}

/** What the header knows of one team: its name and who each of its rotations has on call now. */
export interface TeamOnCall {
  teamId: string;
  teamName: string;
  answer: TeamOnCallResponse | null;
  /** Why the answer is missing ("could not load"), when it is. */
  error: string | null;
}

export interface OncallHeaderModel {
  /** "On call: ana (until 07:00)"; null when the user is in no team (the line is hidden). */
  text: string | null;
  /** `warn` when a rotation of the user's teams has nobody on call, or an answer could not be read. */
  level: 'info' | 'warn';
  /** The rota page the line links to. */
  href: string;
  /** Usernames on call now, for tests and styles. */
  usernames: string[];
}

type RotationNow = TeamOnCallResponse['rotations'][number];

/** "ana (until 07:00)", "ben (Backup, until Mon 07:00)", "nobody (starts Mon 07:00)". */
export function rotationNowText(r: RotationNow, now: number, timeZone: string, withName: boolean): string {
  const until = formatShiftTime(r.shiftEnd, now, timeZone);
  const name = withName ? `${r.rotationName}, ` : '';
  if (r.username === null)
    return r.shiftStart === null ? `nobody (${name}starts ${until})` : `NOBODY (${name}until ${until})`;
  const cover = r.overriddenFrom ? `, covering for ${r.overriddenFrom}` : '';
  return `${r.username} (${name}until ${until}${cover})`;
}

/**
 * The header's line. One team with one rotation: "On call: ana (until 07:00)". Several rotations name
 * theirs; several teams are named too ("On call — North: ana (until 07:00) · South: NOBODY (…)").
 */
export function oncallHeaderModel(
  teams: readonly TeamOnCall[],
  now: number,
  href: string,
): OncallHeaderModel {
  if (teams.length === 0) return { text: null, level: 'info', href, usernames: [] };
  let warn = false;
  const usernames: string[] = [];
  const parts = teams.map((team) => {
    if (!team.answer) {
      warn = team.error !== null;
      return `${team.teamName}: ${team.error ?? 'loading…'}`;
    }
    const { rotations, timeZone } = team.answer;
    if (rotations.length === 0) {
      warn = true;
      return teams.length === 1 ? 'no rota for your team' : `${team.teamName}: no rota`;
    }
    const texts = rotations.map((r) => {
      if (r.username === null) warn = true;
      else usernames.push(r.username);
      return rotationNowText(r, now, timeZone, rotations.length > 1);
    });
    return teams.length === 1 ? texts.join(', ') : `${team.teamName}: ${texts.join(', ')}`;
  });
  const text = teams.length === 1 ? `On call: ${parts[0]}` : `On call — ${parts.join(' · ')}`;
  return { text, level: warn ? 'warn' : 'info', href, usernames };
}
