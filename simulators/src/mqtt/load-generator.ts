import { DEFAULT_TOPIC_PREFIX } from '@pumpwatch/protocol';
import { SimulatorError } from '../errors.js';
import { seedFromString } from '../prng.js';
import { ScenarioPlayer } from '../scenario-player.js';
import { buildScenario, NORMAL_RATES_mL_h, type Scenario, scenarioNames } from '../scenarios.js';
import { FakeHub } from './fake-hub.js';

/**
 * What the pumps play: `normal` (every pump infuses normally, rates 0.5–250 mL/h), `faults` (one pump in
 * ten plays a fault scenario, cycling through every scenario but `normal`; a `hub_offline` pump takes its
 * whole hub down at onset), one named scenario for every pump, or a list pump i takes entry i mod length of.
 */
export type LoadMix = 'normal' | 'faults' | { scenario: string } | { scenarios: Scenario[] };

export interface LoadGeneratorOptions {
  /** Broker URL. */
  url: string;
  pumps: number;
  /** Samples per pump per wall-clock second. */
  hz: number;
  /** Pumps per fake hub (one MQTT connection each). Default 10. */
  pumpsPerHub?: number;
  /** Time acceleration: event time runs `speed`× the wall clock (default 1). */
  speed?: number;
  mix?: LoadMix;
  /** The server's HTTP URL: scenario orders are PUT to `/api/pumps/{id}/order` before the start. */
  serverUrl?: string;
  /** Bearer token for the server's API when it requires authentication. */
  serverToken?: string;
  /** Prefix of hub and pump ids (`LOAD` → `LOAD-H00001`, `LOAD-P000001`), so several generators can share a server. */
  idPrefix?: string;
  seed?: number;
  topicPrefix?: string;
  tickMs?: number;
  connectConcurrency?: number;
  /** Event time of the start (default: the wall clock at start). */
  startTs?: number;
  /** Monotonic milliseconds (default performance.now) and wall clock (default Date.now). */
  clock?: () => number;
  wallClock?: () => number;
  username?: string;
  password?: string;
  onWarning?: (message: string) => void;
}

export interface LoadStats {
  elapsedMs: number;
  /** Event time elapsed (elapsed × speed). */
  simElapsedMs: number;
  pumps: number;
  hubs: number;
  hubsConnected: number;
  hubsVanished: number;
  hz: number;
  /** Samples due so far at the configured rate. */
  offered: number;
  /** Publishes handed to MQTT, acknowledged by the broker, and not yet acknowledged. */
  published: number;
  acked: number;
  inflight: number;
  errors: number;
  /** Samples not sent because the pump is silent or its hub is offline (the scenario says so). */
  skipped: number;
  /** Samples the generator could not send in time (it fell behind; the offered rate was not reached). */
  shortfall: number;
}

interface LoadPump {
  pumpId: string;
  hub: FakeHub;
  player: ScenarioPlayer;
}

interface HubSchedule {
  hub: FakeHub;
  offlineAtMs: number;
  backAtMs?: number;
  state: 'up' | 'vanished' | 'back';
}

const FAULT_SCENARIOS = scenarioNames.filter((name) => name !== 'normal');

/** The scenario pump `index` plays under `mix`. */
export function loadScenario(index: number, mix: LoadMix): Scenario {
  const rate = NORMAL_RATES_mL_h[index % NORMAL_RATES_mL_h.length] as number;
  const normal = () => buildScenario('normal', { rate_mL_h: rate, vtbi_mL: rate * 24 });
  if (mix === 'normal') return normal();
  if (mix === 'faults') {
    if (index % 10 !== 9) return normal();
    return buildScenario(FAULT_SCENARIOS[Math.floor(index / 10) % FAULT_SCENARIOS.length] as string);
  }
  if ('scenarios' in mix) return mix.scenarios[index % mix.scenarios.length] as Scenario;
  return buildScenario(mix.scenario);
}

/**
 * N simulated pumps × f Hz published over MQTT as fake hubs (retained status + Last Will, QoS 1
 * telemetry, topics from @pumpwatch/protocol). Samples are spread evenly in time, round-robin over the
 * pumps, so the broker sees a steady rate, not a burst per second. Event time (`ts`, `hubTs`) runs
 * `speed`× the wall clock; the pump physics steps at 100 ms of event time, so high speeds cost CPU.
 */
export class LoadGenerator {
  private readonly pumps: LoadPump[] = [];
  private readonly hubs: FakeHub[] = [];
  private readonly schedules: HubSchedule[] = [];
  private readonly clock: () => number;
  private readonly speed: number;
  private hz: number;
  private timer: NodeJS.Timeout | null = null;
  private t0 = 0;
  private lastTick = 0;
  private credit = 0;
  private cursor = 0;
  private startTs = 0;
  private offered = 0;
  private skipped = 0;
  private shortfall = 0;

  private constructor(private readonly options: LoadGeneratorOptions) {
    assertLoad(options);
    this.clock = options.clock ?? (() => performance.now());
    this.speed = options.speed ?? 1;
    this.hz = options.hz;
  }

  /** Builds the pumps, PUTs their orders, connects every hub, and starts publishing. */
  static async start(options: LoadGeneratorOptions): Promise<LoadGenerator> {
    const generator = new LoadGenerator(options);
    try {
      await generator.build();
      generator.run();
    } catch (error) {
      await generator.stop();
      throw error;
    }
    return generator;
  }

  /** Changes the per-pump rate from the next tick (the benchmark's ladder). */
  setRate(hz: number): void {
    assertLoad({ ...this.options, hz });
    this.hz = hz;
  }

  stats(): LoadStats {
    let published = 0;
    let acked = 0;
    let errors = 0;
    let connected = 0;
    for (const hub of this.hubs) {
      published += hub.counters.published;
      acked += hub.counters.acked;
      errors += hub.counters.errors;
      if (hub.connected) connected += 1;
    }
    const elapsedMs = this.t0 ? this.clock() - this.t0 : 0;
    return {
      elapsedMs,
      simElapsedMs: elapsedMs * this.speed,
      pumps: this.pumps.length,
      hubs: this.hubs.length,
      hubsConnected: connected,
      hubsVanished: this.schedules.filter((s) => s.state === 'vanished').length,
      hz: this.hz,
      offered: Math.floor(this.offered),
      published,
      acked,
      inflight: published - acked,
      errors,
      skipped: this.skipped,
      shortfall: Math.floor(this.shortfall),
    };
  }

  /** Stops publishing and closes every hub gracefully (retained offline status, DISCONNECT). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await inBatches(this.hubs, this.options.connectConcurrency ?? 64, (hub) => hub.close().catch(() => {}));
  }

  private async build(): Promise<void> {
    const { pumps, pumpsPerHub = 10, mix = 'normal', idPrefix = 'LOAD', seed = 1 } = this.options;
    const wall = this.options.wallClock ?? Date.now;
    this.startTs = Math.round(this.options.startTs ?? wall());
    const simNow = () => this.startTs + Math.max(0, this.t0 ? this.clock() - this.t0 : 0) * this.speed;
    const hubCount = Math.ceil(pumps / pumpsPerHub);
    for (let h = 0; h < hubCount; h += 1) {
      this.hubs.push(
        new FakeHub({
          url: this.options.url,
          hubId: `${idPrefix}-H${String(h).padStart(5, '0')}`,
          topicPrefix: this.options.topicPrefix ?? DEFAULT_TOPIC_PREFIX,
          now: simNow,
          ...(this.options.username ? { username: this.options.username } : {}),
          ...(this.options.password ? { password: this.options.password } : {}),
        }),
      );
    }
    const orders: Array<{ pumpId: string; scenario: Scenario }> = [];
    for (let i = 0; i < pumps; i += 1) {
      const pumpId = `${idPrefix}-P${String(i).padStart(6, '0')}`;
      const hub = this.hubs[Math.floor(i / pumpsPerHub)] as FakeHub;
      const scenario = loadScenario(i, mix);
      this.pumps.push({
        pumpId,
        hub,
        player: new ScenarioPlayer(scenario, { seed: seedFromString(pumpId) ^ seed, startTs: this.startTs }),
      });
      if (scenario.order) orders.push({ pumpId, scenario });
      if (scenario.hub) this.scheduleHub(hub, scenario.hub.offlineAtMs, scenario.hub.backAtMs);
    }
    await this.putOrders(orders);
    await inBatches(this.hubs, this.options.connectConcurrency ?? 64, (hub) => hub.connect());
    for (const pump of this.pumps) pump.hub.publishLink(pump.pumpId, 'up');
  }

  /** A hub vanishes at the earliest offline time among its pumps' scenarios. */
  private scheduleHub(hub: FakeHub, offlineAtMs: number, backAtMs: number | undefined): void {
    const existing = this.schedules.find((s) => s.hub === hub);
    if (existing && existing.offlineAtMs <= offlineAtMs) return;
    if (existing) this.schedules.splice(this.schedules.indexOf(existing), 1);
    this.schedules.push({ hub, offlineAtMs, ...(backAtMs !== undefined ? { backAtMs } : {}), state: 'up' });
  }

  private async putOrders(orders: Array<{ pumpId: string; scenario: Scenario }>): Promise<void> {
    if (orders.length === 0) return;
    const { serverUrl } = this.options;
    if (!serverUrl) {
      this.options.onWarning?.(
        `${orders.length} pump(s) play a scenario with an order, but no server URL was given: ` +
          'order_mismatch cannot be raised (pass --server)',
      );
      return;
    }
    await inBatches(orders, 16, async ({ pumpId, scenario }) => {
      const response = await fetch(`${serverUrl}/api/pumps/${pumpId}/order`, {
        method: 'PUT',
        headers: {
          'content-type': 'application/json',
          ...(this.options.serverToken ? { authorization: `Bearer ${this.options.serverToken}` } : {}),
        },
        body: JSON.stringify(scenario.order),
      });
      if (!response.ok)
        throw new Error(`PUT order for ${pumpId}: HTTP ${response.status} ${await response.text()}`);
    });
  }

  private run(): void {
    this.t0 = this.clock();
    this.lastTick = this.t0;
    const tickMs = this.options.tickMs ?? 10;
    this.timer = setInterval(() => this.tick(), tickMs);
  }

  private tick(): void {
    const now = this.clock();
    const rate = this.pumps.length * this.hz;
    const due = ((now - this.lastTick) / 1000) * rate;
    this.lastTick = now;
    this.offered += due;
    this.credit += due;
    // Catch up after a stall of up to a second (a GC pause, a busy machine); what is older than that is
    // counted as shortfall: the generator could not offer the rate.
    const maxCredit = Math.max(rate, 1);
    if (this.credit > maxCredit) {
      this.shortfall += this.credit - maxCredit;
      this.credit = maxCredit;
    }
    const simTs = Math.floor(this.startTs + (now - this.t0) * this.speed);
    this.updateHubs(simTs - this.startTs);
    let n = Math.floor(this.credit);
    this.credit -= n;
    const pumps = this.pumps;
    while (n > 0) {
      n -= 1;
      const pump = pumps[this.cursor] as LoadPump;
      this.cursor = this.cursor + 1 === pumps.length ? 0 : this.cursor + 1;
      const sample = pump.player.sampleAt(simTs);
      if (!sample || !pump.hub.publishTelemetry(pump.pumpId, sample)) this.skipped += 1;
    }
  }

  private updateHubs(simOffsetMs: number): void {
    for (const schedule of this.schedules) {
      if (schedule.state === 'up' && simOffsetMs >= schedule.offlineAtMs) {
        schedule.state = 'vanished';
        schedule.hub.vanish();
      } else if (
        schedule.state === 'vanished' &&
        schedule.backAtMs !== undefined &&
        simOffsetMs >= schedule.backAtMs
      ) {
        schedule.state = 'back';
        schedule.hub.connect().catch(() => {
          schedule.hub.counters.errors += 1;
        });
      }
    }
  }
}

function assertLoad(options: LoadGeneratorOptions): void {
  const { pumps, hz, pumpsPerHub = 10, speed = 1 } = options;
  const bad = (what: string) => {
    throw new SimulatorError('LOAD_INVALID', what);
  };
  if (!(Number.isInteger(pumps) && pumps > 0)) bad(`pumps must be a positive integer, got ${pumps}`);
  if (!(Number.isFinite(hz) && hz > 0)) bad(`hz must be positive, got ${hz}`);
  if (!(Number.isInteger(pumpsPerHub) && pumpsPerHub > 0)) bad(`pumpsPerHub must be a positive integer`);
  if (!(Number.isFinite(speed) && speed > 0)) bad(`speed must be positive, got ${speed}`);
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
