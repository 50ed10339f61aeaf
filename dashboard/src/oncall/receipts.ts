import type { Priority } from '@pumpwatch/protocol';
import { formatClock, formatCountdown, formatDuration } from '../format.js';
import type { AlertEvent, PagingPath, Receipt } from './oncall-api.js';

/**
 * Receipts and the escalation path in words (docs/paging.md#escalation, docs/dashboard.md "Alert
 * detail"): "push to ana (Chrome on Android) 03:12:04 sent, shown 03:12:05", "email to ana@… failed:
 * 550 …", "escalated to ben 03:14:04", and the steps still to come. Pure: the alert's events and its
 * paging record in, lines out. A receipt's target is a device label, an address or a URL, never patient
 * data (paging.md), so every line may be shown to every role.
 */

export type Tone = 'ok' | 'failed' | 'info';

export interface ReceiptLine {
  channel: Receipt['channel'];
  target: string;
  status: Receipt['status'];
  text: string;
  tone: Tone;
}

const CHANNEL_WORDS: Record<Receipt['channel'], string> = {
  push: 'Push',
  email: 'Email',
  webhook: 'SMS gateway',
};

/** Why a receipt failed or was skipped: the server's reason, else its status code. */
function reasonText(r: { error?: string | undefined; statusCode?: number | undefined }): string {
  return r.error ?? (r.statusCode === undefined ? 'no reason given' : String(r.statusCode));
}

/** "sent (201)", "failed: 550 mailbox unavailable", "skipped: no device, address or number…". */
export function receiptOutcome(r: Pick<Receipt, 'status' | 'statusCode' | 'error'>): string {
  if (r.status === 'sent') return r.statusCode === undefined ? 'sent' : `sent (${r.statusCode})`;
  return `${r.status}: ${reasonText(r)}`;
}

/** One receipt of "Send me a test alert": "Push to Chromium under test: sent (201)". */
export function receiptLine(r: Receipt): ReceiptLine {
  const tone: Tone = r.status === 'sent' ? 'ok' : r.status === 'failed' ? 'failed' : 'info';
  // The engine's stand-in receipt for a person with nothing to reach her by.
  const text =
    r.target === 'none' && r.status === 'skipped'
      ? `Nothing sent: ${r.error ?? 'no device, address or number on any channel'}. Add a device or an address below.`
      : `${CHANNEL_WORDS[r.channel]} to ${r.target}: ${receiptOutcome(r)}`;
  return { channel: r.channel, target: r.target, status: r.status, text, tone };
}

/** "2 sent, 1 failed" above the receipts of a test page. */
export function receiptsSummary(receipts: readonly Receipt[]): string {
  if (receipts.length === 0) return 'The server sent nothing and said nothing.';
  const count = (s: Receipt['status']) => receipts.filter((r) => r.status === s).length;
  const parts = [`${count('sent')} sent`];
  if (count('failed') > 0) parts.push(`${count('failed')} failed`);
  if (count('skipped') > 0) parts.push(`${count('skipped')} skipped`);
  return `Test alert: ${parts.join(', ')}.`;
}

export interface TimelineLine {
  at: number;
  text: string;
  tone: Tone;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** `push:ana` → ['push', 'ana']; `paging` → ['paging', '']. */
function splitActor(actor: string): [string, string] {
  const at = actor.indexOf(':');
  return at < 0 ? [actor, ''] : [actor.slice(0, at), actor.slice(at + 1)];
}

const stepWord = (step: number | undefined) => (step === undefined ? '' : ` (step ${step + 1})`);

/**
 * The alert's story from its events, oldest first: raised, each page ("paging ana (step 1)",
 * "escalated to ben (step 2)"), each channel's receipt with what the phone reported after it ("shown",
 * "tapped"), steps that found nobody, and the acknowledgement.
 */
export function timelineOf(events: readonly AlertEvent[], timeZone?: string): TimelineLine[] {
  const clock = (at: number) => formatClock(at, timeZone);
  const lines: TimelineLine[] = [];
  /** Each recipient's push lines, which her phone's "shown" / "tapped" reports extend (below). */
  const pushes = new Map<string, TimelineLine[]>();
  const reports: Array<{ who: string; word: string; at: number }> = [];
  for (const event of events) {
    const d = event.details ?? {};
    const [kind, who] = splitActor(event.actor);
    const at = num(d.at) ?? event.at;
    switch (event.type) {
      case 'raised':
        lines.push({ at, text: `raised ${clock(at)}`, tone: 'info' });
        break;
      case 'acknowledged':
        lines.push({ at, text: `acknowledged by ${event.actor} ${clock(at)}`, tone: 'ok' });
        break;
      case 'resolved':
        lines.push({
          at,
          text:
            d.reason === 'superseded' && typeof d.supersededBy === 'string'
              ? `replaced by ${d.supersededBy} ${clock(at)}: one alert for one cause`
              : `resolved ${clock(at)}`,
          tone: 'info',
        });
        break;
      case 'retriggered':
        // One episode, one alert (docs/alerts.md): the condition came back soon after it ended.
        lines.push({ at, text: `condition back ${clock(at)}: same alert reopened`, tone: 'info' });
        break;
      case 'snoozed':
        lines.push({ at, text: `sound snoozed by ${event.actor} ${clock(at)}`, tone: 'info' });
        break;
      case 'latched':
        lines.push({ at, text: `condition ended ${clock(at)}: kept until acknowledged`, tone: 'info' });
        break;
      case 'notified':
        notifiedLine(kind, who, d, at, clock, lines, pushes, reports);
        break;
      default:
        // escalated / renotified: the consoles' own tiers (docs/alerts.md); paging says more below.
        lines.push({ at, text: `${event.type} ${clock(at)}`, tone: 'info' });
    }
  }
  // A phone may report "shown" before the server has recorded that the push went out (the report races
  // the receipt): each report goes to the recipient's last push sent at or before it, else her first.
  for (const report of reports) {
    const mine = pushes.get(report.who) ?? [];
    const line = mine.filter((l) => l.at <= report.at).at(-1) ?? mine[0];
    if (line) line.text += `, ${report.word} ${clock(report.at)}`;
    else
      lines.push({
        at: report.at,
        text: `push to ${report.who}: ${report.word} ${clock(report.at)}`,
        tone: 'ok',
      });
  }
  return lines.sort((a, b) => a.at - b.at);
}

function notifiedLine(
  kind: string,
  who: string,
  d: Record<string, unknown>,
  at: number,
  clock: (at: number) => string,
  lines: TimelineLine[],
  pushes: Map<string, TimelineLine[]>,
  reports: Array<{ who: string; word: string; at: number }>,
): void {
  const status = str(d.status);
  const step = num(d.step);
  const reason = str(d.reason);
  if (kind === 'paging' && status === 'queued') {
    const verb = reason === 'escalated' ? 'escalated to' : reason === 'repeated' ? 'paging again' : 'paging';
    lines.push({ at, text: `${verb} ${who}${stepWord(step)} ${clock(at)}`, tone: 'info' });
    return;
  }
  if (kind === 'paging' && status === 'unresolved') {
    const targets = Array.isArray(d.targets) ? d.targets.length : 0;
    lines.push({
      at,
      text: `step ${(step ?? 0) + 1}: ${targets} target${targets === 1 ? '' : 's'} paged nobody (no one on call, no lead) ${clock(at)}`,
      tone: 'failed',
    });
    return;
  }
  // What a phone's service worker reported about the push it received.
  if (kind === 'push' && (status === 'displayed' || status === 'clicked')) {
    reports.push({ who: str(d.recipient) ?? who, word: status === 'displayed' ? 'shown' : 'tapped', at });
    return;
  }
  if (status !== 'sent' && status !== 'failed' && status !== 'skipped' && d.ok === undefined) {
    lines.push({
      at,
      text: `${kind} ${who} ${status ?? ''} ${clock(at)}`.replace(/\s+/g, ' '),
      tone: 'info',
    });
    return;
  }
  // A config tier's webhook (`webhook:{tier}`) reports `ok`; the channels report `status`.
  const outcome: Receipt['status'] =
    status === 'sent' || status === 'failed' || status === 'skipped'
      ? status
      : d.ok === true
        ? 'sent'
        : 'failed';
  const statusCode = num(d.statusCode) ?? num(d.status);
  const error = str(d.error);
  const target = str(d.target) ?? '';
  const recipient = str(d.recipient);
  const update = reason === 'acknowledged' || reason === 'resolved' ? `"${reason}" ` : '';
  const channel = str(d.channel) ?? kind;
  let phrase: string;
  if (target === 'none') phrase = `nothing to reach ${who} by (no device, address or number)`;
  else if (channel === 'push') phrase = `${update}push to ${recipient ?? who} (${target})`;
  else if (channel === 'email') phrase = `${update}email to ${target}`;
  else if (recipient) phrase = `${update}SMS gateway for ${recipient} (${target})`;
  else phrase = `${update}webhook ${who ? `${who} ` : ''}${target}`.trim();
  const result =
    target === 'none'
      ? ''
      : ` ${receiptOutcome({
          status: outcome,
          ...(statusCode === undefined ? {} : { statusCode }),
          ...(error === undefined ? {} : { error }),
        })}`;
  const line: TimelineLine = {
    at,
    text: `${phrase} ${clock(at)}${result}`,
    tone: outcome === 'sent' ? 'ok' : outcome === 'failed' || target === 'none' ? 'failed' : 'info',
  };
  lines.push(line);
  if (channel === 'push' && outcome === 'sent' && !update) {
    const key = recipient ?? who;
    pushes.set(key, [...(pushes.get(key) ?? []), line]);
  }
}

export interface PathStep {
  index: number;
  /** "Step 2 — ben" / "Step 3 — nobody on call". */
  text: string;
  /** done: paged in this pass; next: the page due next; later: after it; off: not paged at this priority. */
  state: 'done' | 'next' | 'later' | 'off' | 'not-needed';
  /** "at 03:14:04 unless acknowledged", "then waits 2 min". */
  whenText: string;
}

export interface PagingPathView {
  /** "Next page 03:14:04 (in 1:45) unless acknowledged" and the like. */
  stateText: string;
  reachedText: string | null;
  steps: PathStep[];
}

function whoOf(step: PagingPath['steps'][number]): string {
  const people = step.usernames.length > 0 ? step.usernames.join(', ') : 'nobody on call';
  const hooks = step.webhooks > 0 ? ` + ${step.webhooks} webhook${step.webhooks === 1 ? '' : 's'}` : '';
  const unresolved =
    step.unresolved > 0
      ? ` (${step.unresolved} target${step.unresolved === 1 ? '' : 's'} resolve to nobody)`
      : '';
  return `${people}${hooks}${unresolved}`;
}

/**
 * The escalation path: where the alert stands and the steps still to come, with the time each is due
 * (the next page's time, then each step's delay for the alert's priority). Whom a step pages is whom it
 * would page now: the server resolves it again when it sends (a handoff may come between).
 */
export function pagingPathView(
  path: PagingPath,
  priority: Priority,
  now: number,
  timeZone?: string,
): PagingPathView {
  const clock = (at: number) => formatClock(at, timeZone);
  const n = path.steps.length;
  const total = n * (1 + path.repeat);
  const position = n === 0 ? 0 : path.attempt % n;
  const pass = n === 0 ? 0 : Math.floor(path.attempt / n);
  let stateText: string;
  switch (path.state) {
    case 'paging':
      stateText =
        path.nextAt === null
          ? 'Paging: a page is going out now.'
          : `Paging: next page ${clock(path.nextAt)} (${path.nextAt > now ? `in ${formatCountdown(path.nextAt - now)}` : 'now'}) unless acknowledged; page ${Math.min(path.attempt + 1, total)} of ${total}.`;
      break;
    case 'quiet':
      stateText = `Not paged: this team's policy pages no ${priority} priority alerts (the consoles show it).`;
      break;
    case 'stopped':
      stateText = path.stopped
        ? `Paging stopped: ${path.stopped.reason} by ${path.stopped.by} at ${clock(path.stopped.at)}.`
        : 'Paging stopped.';
      break;
    case 'exhausted':
      stateText = `Every step was paged ${1 + path.repeat} time${path.repeat === 0 ? '' : 's'} and nobody acknowledged: "Nobody reachable" was raised.`;
      break;
  }
  let due = path.state === 'paging' ? (path.nextAt ?? now) : null;
  const steps = path.steps.map((step, index): PathStep => {
    const delay = step.delayMs[priority];
    const label = `Step ${index + 1} — ${whoOf(step)}`;
    const wait = delay === null ? '' : `, then waits ${formatDuration(delay)}`;
    if (delay === null && path.state !== 'stopped')
      return { index, text: label, state: 'off', whenText: `not paged for ${priority} priority` };
    if (path.state === 'stopped' || path.state === 'exhausted') {
      const paged = path.attempt > index;
      return {
        index,
        text: label,
        state: paged ? 'done' : 'not-needed',
        whenText: paged ? 'paged' : path.state === 'stopped' ? 'not needed' : 'not paged',
      };
    }
    if (path.state === 'quiet') return { index, text: label, state: 'off', whenText: 'not paged' };
    if (index < position) return { index, text: label, state: 'done', whenText: `paged${wait}` };
    const at = due;
    if (due !== null && delay !== null) due += delay;
    const when = at === null ? '' : `at ${clock(at)} unless acknowledged`;
    return { index, text: label, state: index === position ? 'next' : 'later', whenText: `${when}${wait}` };
  });
  return {
    stateText:
      pass > 0 && path.state === 'paging' ? `${stateText} Repeat ${pass} of ${path.repeat}.` : stateText,
    reachedText: path.reached.length > 0 ? `Reached so far: ${path.reached.join(', ')}.` : null,
    steps,
  };
}
