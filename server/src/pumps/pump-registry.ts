import type { Alert, PumpView, TelemetrySample } from '@pumpwatch/protocol';
import { SeqWindow } from './seq-window.js';

export interface PumpRecord {
  pumpId: string;
  hubId: string;
  latest: TelemetrySample | null;
  /** Server clock (epoch ms) of the last valid sample. */
  lastSeen: number | null;
  /** The gateway's link to the pump, as last reported. */
  link: 'up' | 'down' | 'unknown';
  /** Seqs seen in the hub store's current `epoch` (undefined: a hub without epochs). */
  readonly seqs: SeqWindow;
  epoch: string | undefined;
}

export interface HubRecord {
  hubId: string;
  online: boolean;
  /** Server clock of the last status or heartbeat. */
  lastStatusAt: number;
  version?: string;
}

/** What the server knows of every pump and hub right now; in memory, rebuilt from the store at start. */
export class PumpRegistry {
  private readonly pumps = new Map<string, PumpRecord>();
  private readonly hubs = new Map<string, HubRecord>();

  constructor(private readonly offlineAfterMs: number) {}

  pump(pumpId: string): PumpRecord | undefined {
    return this.pumps.get(pumpId);
  }

  /**
   * The record for a pump, created on first sight and bound to the hub that reported it; `null` when
   * another hub owns it. A hub could once take over any pump by reporting its id, resolving its alerts
   * or raising false ones (issue #11); only `movePump` (an admin, audited) changes the owner now. At
   * start the owner is the hub of the pump's latest stored sample (`WardCore.restorePump`).
   */
  ensurePump(hubId: string, pumpId: string): PumpRecord | null {
    const record = this.pumps.get(pumpId);
    if (record) return record.hubId === hubId ? record : null;
    const created: PumpRecord = {
      pumpId,
      hubId,
      latest: null,
      lastSeen: null,
      link: 'unknown',
      seqs: new SeqWindow(),
      epoch: undefined,
    };
    this.pumps.set(pumpId, created);
    return created;
  }

  /**
   * Binds a known pump to another hub; returns the hub it was on, or `undefined` for an unknown pump.
   * Seqs are the gateway's own counter (docs/protocol.md), so the new hub's start afresh.
   */
  movePump(pumpId: string, hubId: string): string | undefined {
    const record = this.pumps.get(pumpId);
    if (!record) return undefined;
    if (record.hubId !== hubId)
      this.pumps.set(pumpId, { ...record, hubId, seqs: new SeqWindow(), epoch: undefined });
    return record.hubId;
  }

  allPumps(): IterableIterator<PumpRecord> {
    return this.pumps.values();
  }

  hub(hubId: string): HubRecord | undefined {
    return this.hubs.get(hubId);
  }

  allHubs(): IterableIterator<HubRecord> {
    return this.hubs.values();
  }

  setHubStatus(hubId: string, online: boolean, now: number, version?: string): HubRecord {
    const record: HubRecord = { hubId, online, lastStatusAt: now, ...(version ? { version } : {}) };
    this.hubs.set(hubId, record);
    return record;
  }

  isPumpOnline(record: PumpRecord, now: number): boolean {
    const hubOnline = this.hubs.get(record.hubId)?.online ?? true;
    return hubOnline && record.lastSeen !== null && now - record.lastSeen <= this.offlineAfterMs;
  }

  view(record: PumpRecord, alerts: Alert[], now: number): PumpView {
    return {
      pumpId: record.pumpId,
      hubId: record.hubId,
      latest: record.latest,
      online: this.isPumpOnline(record, now),
      lastSeen: record.lastSeen,
      hubOnline: this.hubs.get(record.hubId)?.online ?? false,
      alerts,
      link: record.link,
    };
  }
}
