import type { Alert, EscalationPolicy } from '@pumpwatch/protocol';
import type { AlertTransition } from '../alerts/lifecycle.js';
import type { DeliveryRecord, Notifier } from '../alerts/notifiers/notifier.js';
import type { ErrorSink } from '../guard.js';
import type { OnCallTable } from '../oncall/ports.js';
import type { StepRecipients } from '../oncall/recipients.js';
import type { AlertStore } from '../store/ports.js';
import type { BadRowHandler } from '../store/quarantine.js';
import type { EventBus } from '../ward/event-bus.js';
import type { WardEvents } from '../ward/ward-events.js';
import type { Channel, PageMessage, PageReason, Receipt } from './channels/channel.js';
import type { PageRecord } from './page-record.js';
import {
  beginPage,
  type DuePage,
  duePage,
  exhaust,
  finishPage,
  raisePriority,
  startPaging,
  stopPaging,
} from './paging-core.js';
import type { TeamReachability } from './unreachable.js';

/** What the paging service asks of on call: the team's policy and whom a step pages at an instant. */
export interface OnCallAnswers {
  /** The team's policy (its own, or the config's default); `teamId` null: an unassigned pump's alert. */
  policyOf(teamId: string | null): EscalationPolicy;
  recipientsOfStep(teamId: string | null, stepIndex: number, at: number): StepRecipients;
  /** Care teams nobody could be paged for at `at` (no rotation, or every rotation empty). */
  teamsWithNobodyOnCall(at: number): string[];
  /** Who is told of a team's nobody_reachable alarm: its lead and every admin. */
  escalationContacts(teamId: string): Promise<string[]>;
  /** The name of webhook step `stepIndex` in the config's tiers (the legacy webhook payload). */
  tierName(stepIndex: number): string;
}

export interface PagingServiceDeps {
  oncall: OnCallAnswers;
  /** Channels to a person (push, email, SMS gateway): paging/channels. */
  channels: readonly Channel[];
  /** The config tiers' webhooks (the generic webhook payload, unchanged for existing receivers). */
  webhooks: Notifier;
  pages: OnCallTable<PageRecord>;
  alerts: AlertStore;
  /** The alert as it is now (open alerts only). */
  current: (alertId: string) => Alert | undefined;
  /** Raises or resolves a team's nobody_reachable alarm (WardShell.setTeamUnreachable). */
  setTeamUnreachable: TeamReachability;
  alertUrl: (alertId: string) => string;
  now: () => number;
  onError: ErrorSink;
}

/** Counts for /api/health (no names, no patient data). */
export interface PagingStats {
  pagesSent: number;
  receiptsSent: number;
  receiptsFailed: number;
  pending: number;
  nobodyReachable: number;
}

/** How often pages are looked for and team reachability checked. */
const TICK_MS = 1000;

/**
 * Walks each alert along its care team's escalation policy (docs/paging.md#escalation): pages the
 * people each step names when it is due, through every channel they have, records every receipt as
 * an alert event, stops at once when the alert is acknowledged or resolved (telling whoever was
 * reached), and raises nobody_reachable for a team whose alerts reach no one. Each page is stored as
 * begun before it is sent and as finished after, so a restart neither loses a page nor repeats one
 * that finished. The decisions are paging-core.ts's; this class carries them out.
 */
export class PagingService {
  static readonly owner = 'paging';
  private readonly records = new Map<string, PageRecord>();
  /** Alerts whose page is being sent now: the tick does not start the same one twice. */
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly stats: PagingStats = {
    pagesSent: 0,
    receiptsSent: 0,
    receiptsFailed: 0,
    pending: 0,
    nobodyReachable: 0,
  };
  /** Serialises the work on one alert: a transition and a page never interleave. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly deps: PagingServiceDeps) {}

  /** Reads the pages under way back; one whose alert closed while the server was down is stopped. */
  async restore(onBadRow?: BadRowHandler): Promise<void> {
    const now = this.deps.now();
    for (const record of await this.deps.pages.all(onBadRow)) {
      if (record.state === 'stopped') continue;
      const alert = this.deps.current(record.alertId);
      if (!alert) {
        await this.save({
          ...record,
          state: 'stopped',
          nextAt: null,
          stopped: { reason: 'resolved', by: 'restart', at: now },
        });
        continue;
      }
      // A page begun and not finished when the server died: due again now (sent at least once).
      this.records.set(
        record.alertId,
        record.sending ? { ...record, nextAt: now, attempt: record.sending.attempt } : record,
      );
    }
  }

  listen(bus: EventBus<WardEvents>): void {
    bus.on('alert', PagingService.owner, (transition) =>
      this.serialised(transition.alert.id, () => this.onTransition(transition)),
    );
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), TICK_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  snapshot(): PagingStats {
    return { ...this.stats, pending: [...this.records.values()].filter((r) => r.state === 'paging').length };
  }

  /** The record of an alert's paging under way (for the alert detail); undefined when none. */
  record(alertId: string): PageRecord | undefined {
    return this.records.get(alertId);
  }

  /** The stored record of an alert whose paging is over (stopped), null when it was never paged. */
  storedRecord(alertId: string): Promise<PageRecord | null> {
    return this.deps.pages.get(alertId);
  }

  /** Resolves once no work is under way on any alert (tests that pass time in wait for it). */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  /** Whether a page for the alert reached `username` (the SMS gateway may acknowledge only as her). */
  async pagedTo(alertId: string, username: string): Promise<boolean> {
    const record = this.records.get(alertId) ?? (await this.deps.pages.get(alertId));
    return record?.reached.includes(username) ?? false;
  }

  /** The on-call answers the engine pages by (for the escalation path route). */
  get answers(): OnCallAnswers {
    return this.deps.oncall;
  }

  /**
   * Sends what is due at the server clock and checks each team's reachability. Exposed for tests that
   * pass time in; the timer calls it every second.
   */
  async tick(): Promise<void> {
    const now = this.deps.now();
    const work: Array<Promise<void>> = [];
    for (const record of this.records.values()) {
      if (this.inFlight.has(record.alertId) || record.nextAt === null || record.nextAt > now) continue;
      work.push(this.serialised(record.alertId, () => this.pageIfDue(record.alertId)));
    }
    await Promise.all(work);
    try {
      this.checkReachability(now);
    } catch (error) {
      this.deps.onError('paging/reachability', error);
    }
  }

  /**
   * What a phone's service worker reported (`POST /api/push/receipts`): the notification was shown or
   * tapped. Recorded as a `notified` event beside the receipt of the push itself.
   */
  async recordReport(report: {
    alertId: string;
    username: string;
    event: 'displayed' | 'clicked';
    at: number;
  }): Promise<void> {
    const alert = this.deps.current(report.alertId) ?? (await this.deps.alerts.get(report.alertId));
    if (!alert) return;
    await this.recordEvent(alert, `push:${report.username}`, {
      channel: 'push',
      recipient: report.username,
      status: report.event,
      at: report.at,
    });
  }

  /** A test page to one person through every channel she has (the dashboard's "send me a test alert"). */
  async testPage(username: string, alert: Alert): Promise<Receipt[]> {
    return this.deliverToPerson(alert, username, 'test', 0);
  }

  // --- Inside ---------------------------------------------------------------------------------------

  private async onTransition(transition: AlertTransition): Promise<void> {
    const { alert } = transition;
    const now = this.deps.now();
    const record = this.records.get(alert.id);
    // Hook for issue 16: an alert reopened (`retriggered`) after its paging stopped pages again, as a
    // raise does; one raised or reopened already acknowledged pages nobody.
    if (transition.type === 'raised' || transition.type === 'retriggered') {
      if (record || alert.status !== 'active') return;
      if (alert.rule === 'nobody_reachable') return this.tellEscalationContacts(alert);
      const teamId = alert.patient?.teamId ?? null;
      const created = startPaging(alert, teamId, this.deps.oncall.policyOf(teamId), now);
      if (created.state !== 'paging') return this.save(created);
      // Its first page is due now: stored once, as begun, on the way out (one commit, not two).
      this.records.set(alert.id, created);
      return this.pageIfDue(alert.id);
    }
    if (!record) return;
    const policy = this.deps.oncall.policyOf(record.teamId);
    if (transition.type === 'escalated' && alert.priority !== record.priority) {
      await this.save(raisePriority(record, alert.priority, policy, now));
      return this.pageIfDue(alert.id);
    }
    if (transition.type === 'acknowledged' || transition.type === 'resolved') {
      const stopped = stopPaging(record, transition.type, transition.actor, policy, now);
      if (!stopped) return;
      await this.save(stopped);
      this.records.delete(alert.id);
      const reason: PageReason = transition.type;
      // Everyone a page reached learns it is taken care of: the phone's notification is replaced.
      await Promise.all(
        stopped.reached.map((username) =>
          this.deliverToPerson(
            alert,
            username,
            reason,
            0,
            transition.type === 'acknowledged' ? { acknowledgedBy: transition.actor } : {},
          ),
        ),
      );
    }
  }

  private async pageIfDue(alertId: string): Promise<void> {
    const record = this.records.get(alertId);
    const alert = this.deps.current(alertId);
    if (!record) return;
    const now = this.deps.now();
    if (!alert) {
      await this.save({
        ...record,
        state: 'stopped',
        nextAt: null,
        stopped: { reason: 'resolved', by: 'engine', at: now },
      });
      this.records.delete(alertId);
      return;
    }
    const policy = this.deps.oncall.policyOf(record.teamId);
    const due = duePage(record, policy, now);
    if (due === null) return;
    if (due === 'exhausted') {
      await this.save(exhaust(record, now));
      return;
    }
    this.inFlight.add(alertId);
    try {
      await this.save(beginPage(record, due, now));
      const outcome = await this.sendPage(alert, record, due);
      const latest = this.records.get(alertId) ?? record;
      await this.save(finishPage(latest, due, outcome, this.deps.now()));
      this.stats.pagesSent += 1;
    } finally {
      this.inFlight.delete(alertId);
    }
  }

  /** One page: every person and webhook of the step, all channels at once. */
  private async sendPage(
    alert: Alert,
    record: PageRecord,
    due: DuePage,
  ): Promise<{ reachedUsers: string[]; reachedAnyone: boolean }> {
    const now = this.deps.now();
    const recipients = this.deps.oncall.recipientsOfStep(record.teamId, due.position.stepIndex, now);
    const reason: PageReason =
      due.position.pass > 0 ? 'repeated' : due.attempt === 0 ? 'raised' : 'escalated';
    const reachedUsers: string[] = [];
    let reachedAnyone = false;
    await Promise.all([
      ...recipients.usernames.map(async (username) => {
        await this.recordEvent(alert, `paging:${username}`, {
          status: 'queued',
          reason,
          step: due.position.stepIndex,
        });
        const receipts = await this.deliverToPerson(alert, username, reason, due.position.stepIndex, {
          pageId: `${alert.id}/${due.attempt}/${username}`,
        });
        if (receipts.some((receipt) => receipt.status === 'sent')) {
          reachedUsers.push(username);
          reachedAnyone = true;
        }
      }),
      this.sendWebhooks(alert, recipients.webhooks, reason, due).then((ok) => {
        if (ok) reachedAnyone = true;
      }),
    ]);
    if (recipients.unresolved.length > 0)
      await this.recordEvent(alert, 'paging', {
        status: 'unresolved',
        step: due.position.stepIndex,
        targets: recipients.unresolved,
      });
    return { reachedUsers, reachedAnyone };
  }

  /** Every channel of one person; each receipt recorded as a `notified` event of the alert. */
  private async deliverToPerson(
    alert: Alert,
    username: string,
    reason: PageReason,
    step: number,
    extra: { acknowledgedBy?: string; pageId?: string } = {},
  ): Promise<Receipt[]> {
    const message: PageMessage = {
      alert,
      recipient: username,
      reason,
      step,
      alertUrl: this.deps.alertUrl(alert.id),
      ...(extra.acknowledgedBy ? { acknowledgedBy: extra.acknowledgedBy } : {}),
      ...(extra.pageId ? { pageId: extra.pageId } : {}),
    };
    const receipts = (
      await Promise.all(
        this.deps.channels.map((channel) =>
          channel.deliver(message).catch((error: unknown): Receipt[] => {
            this.deps.onError('paging/channel', error);
            return [];
          }),
        ),
      )
    ).flat();
    if (receipts.length === 0)
      receipts.push({
        channel: 'push',
        target: 'none',
        recipient: username,
        status: 'skipped',
        at: this.deps.now(),
        attempts: 0,
        error: 'no device, address or number on any channel',
      });
    for (const receipt of receipts) {
      if (receipt.status === 'sent') this.stats.receiptsSent += 1;
      else this.stats.receiptsFailed += 1;
      await this.recordEvent(alert, `${receipt.channel}:${username}`, { reason, step, ...receipt });
    }
    return receipts;
  }

  /** The config tiers' webhooks, with the payload they always had (reason, tier, alert). */
  private async sendWebhooks(
    alert: Alert,
    urls: readonly string[],
    reason: PageReason,
    due: DuePage,
  ): Promise<boolean> {
    if (urls.length === 0) return false;
    const tier = { name: this.deps.oncall.tierName(due.position.stepIndex), webhooks: [...urls] };
    const legacyReason = reason === 'repeated' ? 'renotified' : reason === 'raised' ? 'raised' : 'escalated';
    let records: DeliveryRecord[] = [];
    try {
      records = await this.deps.webhooks.notify({
        alert,
        reason: legacyReason,
        tierIndex: due.position.stepIndex,
        tier,
      });
    } catch (error) {
      this.deps.onError('paging/webhook', error);
    }
    for (const record of records) {
      if (record.ok) this.stats.receiptsSent += 1;
      else this.stats.receiptsFailed += 1;
      await this.recordEvent(alert, `webhook:${tier.name}`, {
        reason: legacyReason,
        tierIndex: due.position.stepIndex,
        ...record,
      });
    }
    return records.some((record) => record.ok);
  }

  /** nobody_reachable itself goes to the team's lead and the admins, once, through every channel. */
  private async tellEscalationContacts(alert: Alert): Promise<void> {
    this.stats.nobodyReachable += 1;
    const contacts = await this.deps.oncall.escalationContacts(alert.pumpId);
    await Promise.all(contacts.map((username) => this.deliverToPerson(alert, username, 'raised', 0)));
  }

  /**
   * A team is unreachable while nobody is on call for it, or while an alert of it is open that no page
   * reached (every step and channel failed so far) or whose policy ran out unanswered.
   */
  private checkReachability(now: number): void {
    const why = new Map<string, { reason: string; alertIds: string[] }>();
    for (const teamId of this.deps.oncall.teamsWithNobodyOnCall(now))
      why.set(teamId, { reason: 'nobody_on_call', alertIds: [] });
    for (const record of this.records.values()) {
      if (record.teamId === null) continue;
      const failed = record.attempt > 0 && record.pagesReached === 0 && record.sending === null;
      const unanswered = record.state === 'exhausted';
      if (!failed && !unanswered) continue;
      const entry = why.get(record.teamId) ?? {
        reason: unanswered ? 'nobody_answered' : 'every_channel_failed',
        alertIds: [],
      };
      entry.alertIds.push(record.alertId);
      why.set(record.teamId, entry);
    }
    this.deps.setTeamUnreachable(why, now);
  }

  private async recordEvent(alert: Alert, actor: string, details: Record<string, unknown>): Promise<void> {
    const current = this.deps.current(alert.id) ?? alert;
    await this.deps.alerts
      .save(current, {
        alertId: alert.id,
        type: 'notified',
        at: this.deps.now(),
        actor,
        alert: current,
        details,
      })
      .catch((error: unknown) => this.deps.onError('paging/receipt', error));
  }

  /**
   * Stored first, then made current: what the escalation path route shows is what a restart would
   * find. A store failure is counted and paging goes on from memory (a page is never held back by it).
   */
  private async save(record: PageRecord): Promise<void> {
    await this.deps.pages.put(record).catch((error: unknown) => this.deps.onError('paging/store', error));
    if (record.state === 'stopped') this.records.delete(record.alertId);
    else this.records.set(record.alertId, record);
  }

  private serialised(alertId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(alertId) ?? Promise.resolve();
    const next = previous
      .then(work)
      .catch((error: unknown) => this.deps.onError('paging', error))
      .finally(() => {
        if (this.queues.get(alertId) === next) this.queues.delete(alertId);
      });
    this.queues.set(alertId, next);
    return next;
  }
}
