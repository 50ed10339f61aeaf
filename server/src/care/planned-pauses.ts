import { type PlannedPause, plannedPauseInputSchema } from '@pumpwatch/protocol';
import type { z } from 'zod';
import type { AuditLog } from '../auth/audit-log.js';
import { PumpwatchError } from '../errors.js';
import type { BadRowHandler } from '../store/quarantine.js';
import type { CareTable } from './ports.js';

export interface PlannedPausesDeps {
  store: CareTable<PlannedPause>;
  audit: AuditLog;
  /** Where a pause in force goes (the ward shell): unexpected_stop is quiet until its end. */
  ward: { setPause(pumpId: string, until: number | null): void };
  now: () => number;
  newId: (prefix: string) => string;
}

/**
 * Planned disconnects (docs/care.md#planned-pauses): a nurse marks "shower, 30 min" on a pump, bounded
 * by MAX_PLANNED_PAUSE_MIN. Stored before it is answered, audited, restored at start while in force.
 */
export class PlannedPauses {
  /** The latest pause of each pump, in force or not. */
  private readonly latest = new Map<string, PlannedPause>();

  constructor(private readonly deps: PlannedPausesDeps) {}

  async restore(onBadRow: BadRowHandler): Promise<void> {
    for (const pause of await this.deps.store.all(onBadRow)) {
      const known = this.latest.get(pause.pumpId);
      if (!known || known.from <= pause.from) this.latest.set(pause.pumpId, pause);
    }
    for (const pause of this.latest.values())
      if (this.inForce(pause)) this.deps.ward.setPause(pause.pumpId, pause.until);
  }

  /** The pump's pause in force now, if any. */
  current(pumpId: string): PlannedPause | undefined {
    const pause = this.latest.get(pumpId);
    return pause && this.inForce(pause) ? pause : undefined;
  }

  /** Starts a pause now; one already in force is replaced (its end moves). */
  async start(
    pumpId: string,
    input: z.input<typeof plannedPauseInputSchema>,
    by: string,
  ): Promise<PlannedPause> {
    const { minutes, reason } = plannedPauseInputSchema.parse(input);
    const now = this.deps.now();
    const before = this.current(pumpId);
    if (before) await this.save({ ...before, endedAt: now, endedBy: by });
    const pause: PlannedPause = {
      id: this.deps.newId('pause'),
      pumpId,
      from: now,
      until: now + minutes * 60_000,
      reason,
      by,
      endedAt: null,
      endedBy: null,
    };
    await this.save(pause);
    await this.deps.audit.record(by, 'pause_started', pumpId, before ?? null, pause);
    this.deps.ward.setPause(pumpId, pause.until);
    return pause;
  }

  /** Ends the pump's pause now: a stop from here on is judged as any other. */
  async end(pumpId: string, by: string): Promise<PlannedPause> {
    const before = this.current(pumpId);
    if (!before) throw new PumpwatchError('PAUSE_NOT_FOUND', `pump ${pumpId} has no planned pause in force`);
    const ended: PlannedPause = { ...before, endedAt: this.deps.now(), endedBy: by };
    await this.save(ended);
    await this.deps.audit.record(by, 'pause_ended', pumpId, before, ended);
    this.deps.ward.setPause(pumpId, null);
    return ended;
  }

  private async save(pause: PlannedPause): Promise<void> {
    await this.deps.store.put(pause);
    this.latest.set(pause.pumpId, pause);
  }

  private inForce(pause: PlannedPause): boolean {
    return pause.endedAt === null && pause.until > this.deps.now();
  }
}
