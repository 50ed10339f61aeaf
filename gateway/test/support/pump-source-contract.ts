import { telemetrySampleSchema } from '@pumpwatch/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  LinkState,
  PumpReading,
  PumpSource,
  PumpSourceListener,
} from '../../src/sources/pump-source.js';

/**
 * The `PumpSource` contract (docs/gateway.md#the-pumpsource-contract): what the gateway relies on from
 * every driver, as one suite run on each of them. A subject builds a fresh source with the pump behind
 * it for every case; a source with a link to a pump (serial, BLE) also hands over the pump's faults.
 */
export interface PumpSourceContractSubject {
  /** Names the source in the test titles. */
  readonly name: string;
  /** The pump can go away and send bad frames (serial, BLE); the simulator has neither. */
  readonly hasPumpLink: boolean;
  create(): Promise<PumpSourceFixture>;
}

export interface PumpSourceFixture {
  /** Not started yet. */
  readonly source: PumpSource;
  /** The pump behind the source, infusing at a rate above zero. */
  readonly pumpId: string;
  /** Longest wait for a change the source must notice: a reading, the link going down or coming back. */
  readonly noticeMs: number;
  /** Longer than any timer of the source (poll, check, reopen backoff): how long to watch for stray events. */
  readonly quietMs: number;
  /** null for a source without a link to a pump. */
  readonly pump: PumpFaults | null;
  /** What of the pump side the source still holds (an open device, a BLE connection, the radio). */
  heldBySource(): Promise<string[]>;
  /** Ends the pump side; the case has already stopped the source. */
  dispose(): Promise<void>;
}

export interface PumpFaults {
  /** The pump vanishes as an unplugged cable or a pump out of radio range does. */
  goAway(): Promise<void>;
  comeBack(): Promise<void>;
  /**
   * Puts bad frames between the pump's good ones (corrupt, cut short, glued to a good frame) and
   * resolves once they are sent, with the least number of rejections the source must count for them.
   */
  sendBadFrames(): Promise<number>;
  /** From now until called with false, the pump sends bad frames only. */
  sendOnlyBadFrames(on: boolean): Promise<void>;
  /** `ts` of every good frame or value the pump has put on the link, in order. */
  goodSent(): readonly number[];
}

type SourceEvent =
  | { kind: 'reading'; reading: PumpReading }
  | { kind: 'link'; pumpId: string; state: LinkState; reason: string | undefined }
  | { kind: 'error'; error: unknown; pumpId: string | undefined };

/** Strict: a field the gateway does not know (a misspelt unit) would be dropped without a word. */
const readingSchema = telemetrySampleSchema.omit({ seq: true }).strict();

class Recorder {
  readonly events: SourceEvent[] = [];
  readonly listener: PumpSourceListener = {
    reading: (reading) => this.events.push({ kind: 'reading', reading }),
    link: (pumpId, state, reason) => this.events.push({ kind: 'link', pumpId, state, reason }),
    error: (error, pumpId) => this.events.push({ kind: 'error', error, pumpId }),
  };

  readings(from = 0): PumpReading[] {
    return this.events.slice(from).flatMap((e) => (e.kind === 'reading' ? [e.reading] : []));
  }

  links(from = 0): Array<Extract<SourceEvent, { kind: 'link' }>> {
    return this.events.slice(from).flatMap((e) => (e.kind === 'link' ? [e] : []));
  }

  errors(from = 0): Array<Extract<SourceEvent, { kind: 'error' }>> {
    return this.events.slice(from).flatMap((e) => (e.kind === 'error' ? [e] : []));
  }

  lastLink(pumpId: string): LinkState | undefined {
    return this.links()
      .filter((l) => l.pumpId === pumpId)
      .at(-1)?.state;
  }
}

/**
 * What holds for every event of every case: readings only for the source's pumps, only while their
 * link is up, each a valid sample without `seq`; link changes alternate and a down says why in at most
 * 200 characters (the link topic's limit); errors are Errors naming one of the source's pumps if any.
 */
function expectWellFormed(recorder: Recorder, source: PumpSource): void {
  const link = new Map<string, LinkState>();
  for (const [index, event] of recorder.events.entries()) {
    const where = `event ${index} (${event.kind})`;
    if (event.kind === 'reading') {
      const { pumpId, sample } = event.reading;
      expect(source.pumpIds, where).toContain(pumpId);
      expect(link.get(pumpId), `${where}: a reading while the link is not up`).toBe('up');
      expect(sample, where).not.toHaveProperty('seq');
      const parsed = readingSchema.safeParse(sample);
      expect(parsed.success ? [] : parsed.error.issues, where).toEqual([]);
    } else if (event.kind === 'link') {
      expect(source.pumpIds, where).toContain(event.pumpId);
      expect(link.get(event.pumpId), `${where}: link ${event.state} twice in a row`).not.toBe(event.state);
      link.set(event.pumpId, event.state);
      if (event.state === 'down') {
        expect(event.reason, `${where}: a link down without a reason`).toMatch(/\S/);
        expect(event.reason?.length, where).toBeLessThanOrEqual(200);
      }
    } else {
      expect(event.error, where).toBeInstanceOf(Error);
      if (event.pumpId !== undefined) expect(source.pumpIds, where).toContain(event.pumpId);
    }
  }
}

/**
 * Watches the timers the gateway's code sets from now on, and says which are still pending: a source
 * that leaves one behind fires into a stopped source and keeps the gateway process from exiting.
 * (`process.getActiveResourcesInfo()` cannot tell: it stops counting an interval once it has fired.)
 * Only timers set from gateway/src count, so the pump side's own timers do not.
 */
function watchTimers(): { pending(): string[]; restore(): void } {
  const g = globalThis;
  const original = {
    setTimeout: g.setTimeout,
    setInterval: g.setInterval,
    clearTimeout: g.clearTimeout,
    clearInterval: g.clearInterval,
  };
  const pending = new Map<unknown, string>();
  const where = (): string | null => {
    const frames = (new Error().stack ?? '').split('\n').slice(3);
    const own = frames.find((frame) => /[\\/]gateway[\\/]src[\\/]/.test(frame));
    return own ? own.trim() : null;
  };
  g.setTimeout = Object.assign(
    (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const site = where();
      const timer: NodeJS.Timeout = original.setTimeout(() => {
        pending.delete(timer);
        callback(...args);
      }, ms);
      if (site) pending.set(timer, `setTimeout ${site}`);
      return timer;
    },
    { __promisify__: original.setTimeout.__promisify__ },
  ) as typeof setTimeout;
  g.setInterval = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const site = where();
    const timer = original.setInterval(callback, ms, ...args);
    if (site) pending.set(timer, `setInterval ${site}`);
    return timer;
  }) as typeof setInterval;
  g.clearTimeout = ((timer?: NodeJS.Timeout | string | number) => {
    pending.delete(timer);
    original.clearTimeout(timer);
  }) as typeof clearTimeout;
  g.clearInterval = ((timer?: NodeJS.Timeout | string | number) => {
    pending.delete(timer);
    original.clearInterval(timer);
  }) as typeof clearInterval;
  return {
    pending: () => [...pending.values()],
    restore: () => Object.assign(g, original),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

function totalRejected(source: PumpSource, pumpId: string): number {
  const rejected = source.stats?.()[pumpId]?.rejected ?? {};
  return Object.values(rejected).reduce((sum, n) => sum + n, 0);
}

/** Registers the contract cases for one kind of source. */
export function describePumpSourceContract(subject: PumpSourceContractSubject): void {
  describe(`PumpSource contract: ${subject.name}`, () => {
    const running: Array<{ fixture: PumpSourceFixture; timers: ReturnType<typeof watchTimers> }> = [];

    afterEach(async () => {
      for (const { fixture, timers } of running.splice(0)) {
        timers.restore();
        await fixture.source.stop();
        await fixture.dispose();
      }
    });

    async function setUp() {
      const fixture = await subject.create();
      const recorder = new Recorder();
      const timers = watchTimers();
      running.push({ fixture, timers });
      expect(fixture.pump !== null, 'the fixture has pump faults exactly when the subject says so').toBe(
        subject.hasPumpLink,
      );
      return { fixture, recorder, timers, source: fixture.source, pumpId: fixture.pumpId };
    }

    async function startedUp() {
      const up = await setUp();
      await up.source.start(up.recorder.listener);
      await until(
        () => up.recorder.readings().length >= 3,
        up.fixture.noticeMs * 3,
        'three readings after start',
      );
      return up;
    }

    /** Readings of the pump from event `from` on, once at least `count` have arrived. */
    async function readingsFrom(
      up: { fixture: PumpSourceFixture; recorder: Recorder },
      from: number,
      count = 2,
    ) {
      await until(
        () => up.recorder.readings(from).length >= count,
        up.fixture.noticeMs * (count + 1),
        `${count} readings`,
      );
      return up.recorder.readings(from);
    }

    it('names its pumps before start, and reads only for them', async () => {
      const { fixture, recorder, source, pumpId } = await setUp();
      expect(source.name).toMatch(/\S/);
      expect(source.pumpIds).toContain(pumpId);
      expect(new Set(source.pumpIds).size).toBe(source.pumpIds.length);
      const before = [...source.pumpIds];
      await source.start(recorder.listener);
      await readingsFrom({ fixture, recorder }, 0, 3);
      expect(source.pumpIds).toEqual(before);
      expect(new Set(recorder.readings().map((r) => r.pumpId))).toEqual(new Set([pumpId]));
      expectWellFormed(recorder, source);
    });

    it('reports the link up before its first reading; every reading is a valid sample without seq', async () => {
      const { recorder, source, pumpId } = await startedUp();
      const firstReading = recorder.events.findIndex((e) => e.kind === 'reading');
      const firstUp = recorder.events.findIndex(
        (e) => e.kind === 'link' && e.pumpId === pumpId && e.state === 'up',
      );
      expect(firstUp).toBeGreaterThanOrEqual(0);
      expect(firstUp).toBeLessThan(firstReading);
      expectWellFormed(recorder, source);
    });

    it('moves forward: ts never goes back and advances, the volume infused never shrinks', async () => {
      const up = await startedUp();
      const readings = await readingsFrom(up, 0, 6);
      const ts = readings.map((r) => r.sample.ts);
      const vi = readings.map((r) => r.sample.vi_mL);
      for (let i = 1; i < readings.length; i++) {
        expect(ts[i], `ts of reading ${i}`).toBeGreaterThanOrEqual(ts[i - 1] as number);
        expect(vi[i], `vi_mL of reading ${i}`).toBeGreaterThanOrEqual(vi[i - 1] as number);
      }
      expect(new Set(ts).size, 'distinct ts among six readings').toBeGreaterThanOrEqual(3);
      expect(vi.at(-1)).toBeGreaterThan(vi[0] as number);
      expectWellFormed(up.recorder, up.source);
    });

    it('stop() reports the link down, ends its timers and handles, and emits nothing afterwards', async () => {
      const up = await setUp();
      await up.source.start(up.recorder.listener);
      await readingsFrom(up, 0, 3);
      await up.source.stop();
      expect(up.recorder.lastLink(up.pumpId)).toBe('down');
      expect(await up.fixture.heldBySource()).toEqual([]);
      const atStop = up.recorder.events.length;
      await sleep(up.fixture.quietMs);
      await up.source.stop();
      expect(up.recorder.events.slice(atStop)).toEqual([]);
      expect(up.timers.pending(), 'timers left pending').toEqual([]);
      expectWellFormed(up.recorder, up.source);
    });

    for (const delayMs of [0, 2, 5, 12, 30]) {
      it(`stop() ${delayMs} ms into start-up leaves nothing behind and nothing comes later`, async () => {
        const up = await setUp();
        await up.source.start(up.recorder.listener);
        await sleep(delayMs);
        await up.source.stop();
        expect(up.recorder.lastLink(up.pumpId)).toBe('down');
        const atStop = up.recorder.events.length;
        await sleep(up.fixture.quietMs);
        expect(up.recorder.events.slice(atStop)).toEqual([]);
        // A connect or an open already under way is abandoned when it settles, so this is checked
        // after the quiet time rather than the moment stop() resolves.
        expect(await up.fixture.heldBySource()).toEqual([]);
        expect(up.timers.pending(), 'timers left pending').toEqual([]);
        expectWellFormed(up.recorder, up.source);
      });
    }

    if (!subject.hasPumpLink) return;

    const faultsOf = (fixture: PumpSourceFixture): PumpFaults => {
      if (!fixture.pump) throw new Error(`${subject.name} has no pump faults`);
      return fixture.pump;
    };

    it('counts in stats() what it decodes, per pump, as a snapshot', async () => {
      const up = await startedUp();
      const { source, pumpId } = up;
      expect(source.stats, 'a driver with a link to a pump has stats()').toBeTypeOf('function');
      const first = source.stats?.() ?? {};
      expect(Object.keys(first)).toEqual([...source.pumpIds]);
      const figures = first[pumpId];
      expect(figures).toMatchObject({ missed: 0, reconnects: 0, rejected: {} });
      expect(figures?.decoded).toBeGreaterThanOrEqual(3);
      if (figures) {
        figures.decoded = -1;
        figures.rejected.mutated = 1;
      }
      await readingsFrom(up, up.recorder.events.length, 2);
      const second = source.stats?.()[pumpId];
      expect(second?.decoded).toBeGreaterThan(3);
      expect(second?.rejected).toEqual({});
      expectWellFormed(up.recorder, source);
    });

    it('reports the link down when the pump goes away and up again when it returns, with data moving on', async () => {
      const up = await startedUp();
      const { fixture, recorder, source, pumpId } = up;
      const faults = faultsOf(fixture);
      const tsBefore = recorder.readings().at(-1)?.sample.ts ?? 0;
      await faults.goAway();
      await until(() => recorder.lastLink(pumpId) === 'down', fixture.noticeMs, 'the link down');
      const atDown = recorder.events.length;
      await sleep(fixture.quietMs);
      expect(recorder.readings(atDown), 'readings while the pump is away').toEqual([]);
      expect(recorder.lastLink(pumpId)).toBe('down');

      await faults.comeBack();
      await until(() => recorder.lastLink(pumpId) === 'up', fixture.noticeMs * 2, 'the link up again');
      const after = await readingsFrom(up, atDown, 2);
      expect(after[0]?.sample.ts).toBeGreaterThanOrEqual(tsBefore);
      expect(source.stats?.()[pumpId]?.reconnects).toBe(1);
      expectWellFormed(recorder, source);
    });

    it('stop() while the pump is away ends the retries: nothing comes when the pump returns', async () => {
      const up = await startedUp();
      const { fixture, recorder, source, pumpId, timers } = up;
      const faults = faultsOf(fixture);
      await faults.goAway();
      await until(() => recorder.lastLink(pumpId) === 'down', fixture.noticeMs, 'the link down');
      await sleep(fixture.quietMs / 2);
      await source.stop();
      const atStop = recorder.events.length;
      await faults.comeBack();
      await sleep(fixture.quietMs);
      expect(recorder.events.slice(atStop)).toEqual([]);
      expect(await fixture.heldBySource()).toEqual([]);
      expect(timers.pending(), 'timers left pending').toEqual([]);
      expectWellFormed(recorder, source);
    });

    it('counts and reports bad frames, keeps the link up, and loses none of the good frames next to them', async () => {
      const up = await startedUp();
      const { fixture, recorder, source, pumpId } = up;
      const faults = faultsOf(fixture);
      const from = recorder.events.length;
      const sentBefore = faults.goodSent().length;
      const missedBefore = source.stats?.()[pumpId]?.missed ?? 0;
      const atLeast = await faults.sendBadFrames();
      await until(
        () => totalRejected(source, pumpId) >= atLeast,
        fixture.noticeMs * 2,
        `${atLeast} rejections`,
      );
      // Good frames after the last bad one, then every good frame sent since the first bad one.
      await readingsFrom(up, recorder.events.length, 2);
      const good = faults.goodSent().slice(sentBefore);
      await until(
        () => {
          const got = new Set(recorder.readings(from).map((r) => r.sample.ts));
          return good.every((ts) => got.has(ts));
        },
        fixture.noticeMs * 2,
        'every good frame sent around the bad ones',
      );
      expect(good.length).toBeGreaterThanOrEqual(2);
      expect(source.stats?.()[pumpId]?.missed).toBe(missedBefore);
      expect(recorder.links(from), 'link changes during bad frames').toEqual([]);
      const errors = recorder.errors(from);
      expect(errors.length, 'bad frames reported through error()').toBeGreaterThanOrEqual(1);
      expect(errors.every((e) => e.pumpId === pumpId)).toBe(true);
      expectWellFormed(recorder, source);
    });

    it('emits no reading while the pump sends only bad frames (silence must show), and recovers after', async () => {
      const up = await startedUp();
      const { fixture, recorder, source, pumpId } = up;
      const faults = faultsOf(fixture);
      await faults.sendOnlyBadFrames(true);
      const rejectedAtSwitch = totalRejected(source, pumpId);
      // Good frames already on the line when the pump switched are let through first.
      await until(
        () => totalRejected(source, pumpId) >= rejectedAtSwitch + 2,
        fixture.noticeMs * 3,
        'bad frames arriving',
      );
      const from = recorder.events.length;
      const rejectedFrom = totalRejected(source, pumpId);
      await sleep(fixture.quietMs);
      expect(totalRejected(source, pumpId), 'bad frames kept arriving').toBeGreaterThan(rejectedFrom);
      expect(recorder.readings(from), 'readings made of bad frames').toEqual([]);

      await faults.sendOnlyBadFrames(false);
      await readingsFrom(up, from, 2);
      expect(recorder.lastLink(pumpId)).toBe('up');
      expectWellFormed(recorder, source);
    });
  });
}
