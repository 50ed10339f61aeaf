import type { HubCommitted, HubFloor } from '@pumpwatch/protocol';
import type { GatewayConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { OutboxEntry } from '../outbox/outbox-store.js';
import type { CommandRunner } from './local-command.js';
import { type ConfirmationState, UnconfirmedMonitor } from './unconfirmed-monitor.js';

/** What the controller needs of the outbox store (outbox/outbox-store.ts). */
export interface ConfirmableStore {
  readonly depth: number;
  readonly epoch: string | undefined;
  readonly serverConfirms: boolean;
  markServerConfirms(): Promise<void>;
  confirmThrough(pumpId: string, epoch: string | undefined, seq: number): Promise<number>;
  floors(): Record<string, number>;
  remove(id: number, pumpId?: string): Promise<void>;
}

export interface ConfirmationLink {
  readonly connected: boolean;
  publishFloor(floor: HubFloor): Promise<void>;
}

export interface ConfirmationControllerDeps {
  config: GatewayConfig['confirm'];
  hubId: string;
  store: ConfirmableStore;
  /** The outbox drain: `rewind` sends everything still held again. */
  drain: { rewind(): void };
  link: ConfirmationLink;
  now: () => number;
  logger: Logger;
  runCommand: CommandRunner;
}

/**
 * `awaiting`: no watermark seen yet, samples are kept; `server`: the server confirms commits; `broker`:
 * an older server, PUBACK frees samples (as gateways before watermarks did).
 */
export type ConfirmationMode = 'awaiting' | 'server' | 'broker';

export interface ConfirmationStatus {
  mode: ConfirmationMode;
  /** `not_confirmed`: samples wait and nobody has confirmed any for `confirm.alarm.afterMs`. */
  state: ConfirmationState;
  since: number;
  lastConfirmedAt: number;
  lastWatermarkAt: number | null;
  serverRun: string | null;
  /** Episodes of `not_confirmed` since the gateway started; the alarm command ran once for each. */
  episodes: number;
  resendRounds: number;
  badWatermarks: number;
}

/** Most PUBACKed entries remembered while it is not yet known whether the server confirms. */
const MAX_AWAITING_ACKS = 1_000_000;

/**
 * The hub's half of end-to-end confirmation (docs/gateway.md, "Nothing lost"): frees outbox entries
 * as the server's watermarks pass them, re-sends what is held after a reconnect, a server restart or a
 * stalled watermark, falls back to PUBACK for an older server, and tells the household, by the status
 * endpoint and a local command, when nobody is confirming the hub's data.
 */
export class ConfirmationController {
  private mode: ConfirmationMode;
  private serverRun: string | null = null;
  private lastWatermarkAt: number | null = null;
  private connectedAt: number | null = null;
  private pubackSinceConnect = false;
  private awaitingAcks: OutboxEntry[] = [];
  private readonly monitor: UnconfirmedMonitor;
  private resendDelay: number;
  private lastResendAt: number;
  private resendRounds = 0;
  private badWatermarks = 0;
  private fallbackLogged = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ConfirmationControllerDeps) {
    const { config, store, now } = deps;
    this.mode = config.mode === 'broker' ? 'broker' : store.serverConfirms ? 'server' : 'awaiting';
    this.monitor = new UnconfirmedMonitor(config.alarm.afterMs, now());
    this.resendDelay = config.resendAfterMs;
    this.lastResendAt = now();
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  status(): ConfirmationStatus {
    return {
      mode: this.mode,
      state: this.monitor.state,
      since: this.monitor.since,
      lastConfirmedAt: this.monitor.lastConfirmedAt,
      lastWatermarkAt: this.lastWatermarkAt,
      serverRun: this.serverRun,
      episodes: this.monitor.episodes,
      resendRounds: this.resendRounds,
      badWatermarks: this.badWatermarks,
    };
  }

  /** Every (re)connect: what the broker or server may have lost since is sent again. */
  onConnect(): void {
    this.connectedAt = this.deps.now();
    this.pubackSinceConnect = false;
    if (this.mode !== 'broker') void this.resendRound('reconnected');
  }

  /** The broker has the entry. Frees it only for an older server (mode `broker`). */
  async onPuback(entry: OutboxEntry): Promise<void> {
    this.pubackSinceConnect = true;
    if (this.mode === 'broker') {
      await this.deps.store.remove(entry.id, entry.pumpId);
      this.monitor.progress(this.deps.now());
    } else if (this.mode === 'awaiting' && this.awaitingAcks.length < MAX_AWAITING_ACKS) {
      this.awaitingAcks.push(entry);
    }
  }

  onBadWatermark(detail: string): void {
    this.badWatermarks += 1;
    this.deps.logger.warn({ detail }, 'a commit watermark failed its schema; ignored');
  }

  async onCommitted(committed: HubCommitted): Promise<void> {
    const { store, now, logger, config } = this.deps;
    if (this.mode === 'broker' && config.mode === 'broker') return;
    if (this.mode !== 'server') {
      logger.info({ previous: this.mode }, 'the server confirms commits: samples are kept until it has');
      this.mode = 'server';
      this.awaitingAcks = [];
      await store.markServerConfirms();
    }
    this.lastWatermarkAt = now();
    const restarted = this.serverRun !== null && committed.run !== this.serverRun;
    this.serverRun = committed.run;
    let freed = 0;
    for (const [pumpId, mark] of Object.entries(committed.pumps))
      freed += await store.confirmThrough(pumpId, mark.epoch, mark.seq);
    if (freed > 0) {
      this.monitor.progress(now());
      this.resendDelay = config.resendAfterMs;
      this.lastResendAt = now();
    }
    // What the old server process had taken but not committed died with it: send it again.
    if (restarted) await this.resendRound('server restarted');
  }

  /** Once a second: the fallback for an older server, a stalled watermark, the household's alarm. */
  tick(): void {
    const { now, config, store, logger } = this.deps;
    const t = now();
    if (this.mode === 'awaiting' && config.mode === 'auto') this.maybeFallBack(t);
    if (this.mode === 'server' && this.deps.link.connected && store.depth > 0) {
      if (t - Math.max(this.lastResendAt, this.monitor.lastConfirmedAt) >= this.resendDelay) {
        this.resendDelay = Math.min(this.resendDelay * 2, config.resendMaxMs);
        void this.resendRound('watermark stalled');
      }
    }
    const change = this.monitor.observe(t, store.depth > 0);
    if (change === 'entered') {
      logger.error(
        { waiting: store.depth, lastConfirmedAt: this.monitor.lastConfirmedAt },
        'MONITORING NOT CONFIRMED: nobody has confirmed this hub’s samples; they are kept on disk',
      );
      if (config.alarm.command) this.deps.runCommand(config.alarm.command, this.commandEnv('not_confirmed'));
    } else if (change === 'left') {
      logger.info({ waiting: store.depth }, 'monitoring confirmed again');
      if (config.alarm.clearCommand)
        this.deps.runCommand(config.alarm.clearCommand, this.commandEnv('confirmed'));
    }
  }

  private maybeFallBack(t: number): void {
    const { config, logger, store } = this.deps;
    if (this.connectedAt === null || !this.pubackSinceConnect || !this.deps.link.connected) return;
    if (t - this.connectedAt < config.fallbackAfterMs) return;
    if (!this.fallbackLogged) {
      logger.warn(
        { waitedMs: t - this.connectedAt },
        'the server sends no commit watermarks (an older server): falling back to the broker’s PUBACK; a broker crash can now lose samples (docs/gateway.md)',
      );
      this.fallbackLogged = true;
    }
    this.mode = 'broker';
    const acked = this.awaitingAcks;
    this.awaitingAcks = [];
    for (const entry of acked) void store.remove(entry.id, entry.pumpId);
    if (acked.length > 0) this.monitor.progress(t);
  }

  private async resendRound(reason: string): Promise<void> {
    const { store, link, drain, now, logger, hubId } = this.deps;
    this.resendRounds += 1;
    this.lastResendAt = now();
    if (store.depth === 0) return;
    logger.info({ reason, held: store.depth }, 're-sending what the server has not confirmed');
    if (link.connected) {
      const floor: HubFloor = {
        v: 1,
        ts: now(),
        pumps: store.floors(),
        ...(store.epoch !== undefined && { epoch: store.epoch }),
      };
      await link
        .publishFloor(floor)
        .catch((error: unknown) => logger.debug({ err: error, hubId }, 'floor not acknowledged'));
    }
    drain.rewind();
  }

  private commandEnv(state: ConfirmationState): Record<string, string> {
    return { PUMPWATCH_HUB_ID: this.deps.hubId, PUMPWATCH_CONFIRMATION: state };
  }
}
