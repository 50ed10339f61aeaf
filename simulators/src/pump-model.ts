import { MAX_RATE_ML_H, type PumpState, type TelemetrySample } from '@pumpwatch/protocol';
import { SimulatorError } from './errors.js';
import { createPrng, type Prng } from './prng.js';
import type { PumpEvent } from './pump-events.js';
import { DEFAULT_PUMP_PHYSICS, type PumpPhysics } from './pump-physics.js';

export interface PumpProgram {
  rate_mL_h: number;
  vtbi_mL: number;
}

export interface PumpModelOptions {
  seed: number;
  /** Event time (epoch ms) the model starts at; the model never reads a clock. */
  startTs: number;
  program: PumpProgram;
  /** Defaults to `infusing`. */
  initialState?: PumpState;
  /** Volume already delivered, for a pump that joins mid-infusion. */
  initialVi_mL?: number;
  battery_pct?: number;
  onBattery?: boolean;
  physics?: Partial<PumpPhysics>;
}

/** The sample a pump reports; the gateway adds `seq` (and `hubTs`). */
export type PumpSample = Omit<TelemetrySample, 'seq'>;

const MS_PER_HOUR = 3_600_000;

/**
 * A deterministic infusion pump: flow with a per-pump bias and slowly wandering error, volume
 * integration, line pressure from flow × resistance, battery, VTBI completion then KVO, and the faults
 * of `PumpEvent`. Simulated time advances in fixed steps, so the physics depends only on the seed and the
 * events, not on how often `advance` is called; only the pressure sensor noise follows the sampling.
 */
export class PumpModel {
  readonly physics: Readonly<PumpPhysics>;
  private readonly motion: Prng;
  private readonly sensor: Prng;
  private readonly rateBias: number;
  private readonly pending: Array<{ atTs: number; event: PumpEvent }> = [];
  private readonly latchedAlarms = new Set<string>();
  private program: PumpProgram;
  private pumpState: PumpState;
  private t: number;
  private requestedTs: number;
  private vi: number;
  private battery: number;
  private onBattery: boolean;
  private drain_pct_h: number;
  private rateError = 0;
  private flowToPatient_mL_h = 0;
  private occlusion: { compliance_mL_per_mmHg: number } | null = null;
  private storedVolume_mL = 0;
  private infiltration: { startTs: number; factor: number; rampMs: number } | null = null;
  private freeFlow: { factor: number; flag: boolean } | null = null;
  private completeAt: number | null = null;
  private reportingEnabled = true;
  private clockOffsetMs = 0;
  /** `rate_error`: delivered / believed flow of a faulty mechanism (1 = healthy). */
  private flowFactor = 1;
  /** Pump-native alarms (`pump_alarm` with `stops`) that keep the pump from resuming until cleared. */
  private readonly blockingAlarms = new Set<string>();
  private readonly bornTs: number;
  /** The sensor's story between samples: time of the last reading and the patient movement under way. */
  private lastReadingTs: number;
  private movementUntil = Number.NEGATIVE_INFINITY;
  private movement_mmHg = 0;

  constructor(options: PumpModelOptions) {
    assertProgram(options.program);
    this.physics = { ...DEFAULT_PUMP_PHYSICS, ...options.physics };
    this.motion = createPrng(options.seed);
    // A separate stream for sensor noise keeps the physics independent of the sampling pattern.
    this.sensor = createPrng(options.seed ^ 0x9e3779b9);
    this.rateBias = this.motion.uniform(-this.physics.rateBiasMax, this.physics.rateBiasMax);
    this.program = { ...options.program };
    this.pumpState = options.initialState ?? 'infusing';
    this.t = options.startTs;
    this.requestedTs = options.startTs;
    this.bornTs = options.startTs;
    this.lastReadingTs = options.startTs;
    this.vi = options.initialVi_mL ?? 0;
    this.battery = options.battery_pct ?? 100;
    this.onBattery = options.onBattery ?? true;
    this.drain_pct_h = this.physics.batteryDrain_pct_h;
    if (this.pumpState === 'complete' || this.pumpState === 'kvo') this.completeAt = options.startTs;
    // The first sample, before any step, already shows the line pressure of a running infusion.
    this.flowToPatient_mL_h = this.setRate() * (1 + this.rateBias);
  }

  get state(): PumpState {
    return this.pumpState;
  }

  get vi_mL(): number {
    return this.vi;
  }

  /** False after `stop_reporting`: the gateway gets nothing while the pump keeps infusing. */
  get reporting(): boolean {
    return this.reportingEnabled;
  }

  /** Line pressure without sensor noise. */
  get pressure_mmHg(): number {
    const resistance = this.physics.lineResistance_mmHg_per_mL_h * this.resistanceFactor();
    const occluded = this.occlusion ? this.storedVolume_mL / this.occlusion.compliance_mL_per_mmHg : 0;
    return this.physics.venousPressure_mmHg + resistance * this.flowToPatient_mL_h + occluded;
  }

  /** Queues an event for event time `atTs`; it takes effect at the first model step at or after it. */
  schedule(atTs: number, event: PumpEvent): void {
    this.pending.push({ atTs, event });
    // Stable sort keeps events scheduled for the same instant in the order they were given.
    this.pending.sort((a, b) => a.atTs - b.atTs);
  }

  /** Runs the physics up to event time `toTs` (never backwards). */
  advance(toTs: number): void {
    if (toTs < this.requestedTs) {
      throw new SimulatorError('TIME_BACKWARDS', `advance(${toTs}) is before ${this.requestedTs}`);
    }
    this.requestedTs = toTs;
    const step = this.physics.step_ms;
    this.applyDueEvents();
    while (this.t + step <= toTs) {
      this.step(step);
      this.t += step;
      this.applyDueEvents();
    }
  }

  /** What the pump reports at the time of the last `advance`. */
  sample(): PumpSample {
    const pressure = this.reading();
    const sample: PumpSample = {
      v: 1,
      ts: Math.round(this.requestedTs + this.clockOffsetMs),
      state: this.pumpState,
      rate_mL_h: round(this.pumpState === 'kvo' ? this.kvoRate() : this.program.rate_mL_h, 3),
      vi_mL: round(this.vi, 3),
      vtbi_mL: this.program.vtbi_mL,
      pressure_mmHg: pressure,
      occlusionLimit_mmHg: this.physics.occlusionLimit_mmHg,
      battery_pct: round(this.battery, 1),
      onBattery: this.onBattery,
      alarms: this.alarms(),
    };
    if (pressure === undefined) delete sample.pressure_mmHg;
    return sample;
  }

  /**
   * What the pressure sensor reads now: the line pressure plus patient movement and drift, with
   * additive and multiplicative noise, the odd spike, quantised; undefined on a dropout. Draws from the
   * sensor stream only (the physics stays independent of the sampling). With the default physics it
   * draws exactly what it always did: one gaussian per sample.
   */
  private reading(): number | undefined {
    const ph = this.physics;
    const now = this.requestedTs;
    const sinceLast = Math.max(0, now - this.lastReadingTs);
    this.lastReadingTs = now;
    if (ph.movementPerHour > 0 && now >= this.movementUntil) {
      this.movement_mmHg = 0;
      if (this.sensor.next() < 1 - Math.exp((-ph.movementPerHour * sinceLast) / MS_PER_HOUR)) {
        this.movementUntil = now + this.sensor.uniform(10_000, 120_000);
        this.movement_mmHg = (this.sensor.next() < 0.5 ? -1 : 1) * ph.movementStep_mmHg;
      }
    }
    const drift = (ph.pressureDrift_mmHg_h * (now - this.bornTs)) / MS_PER_HOUR;
    const truth = Math.max(0, this.pressure_mmHg + this.movement_mmHg + drift);
    let value = truth + this.sensor.gaussian() * ph.pressureNoise_mmHg;
    if (ph.pressureNoiseFraction > 0) value += this.sensor.gaussian() * ph.pressureNoiseFraction * truth;
    if (ph.pressureSpikeProbability > 0 && this.sensor.next() < ph.pressureSpikeProbability) {
      value += this.sensor.uniform(-ph.pressureSpike_mmHg, ph.pressureSpike_mmHg);
    }
    if (ph.pressureDropoutProbability > 0 && this.sensor.next() < ph.pressureDropoutProbability) {
      return undefined;
    }
    value = Math.max(0, value);
    const quantum = ph.pressureQuantum_mmHg;
    return quantum > 0 ? Math.round(value / quantum) * quantum : round(value, 1);
  }

  /** Applies an event now (at the model's current step). */
  apply(event: PumpEvent): void {
    switch (event.type) {
      case 'occlusion':
        this.occlusion = {
          compliance_mL_per_mmHg: event.compliance_mL_per_mmHg ?? this.physics.compliance_mL_per_mmHg,
        };
        this.storedVolume_mL = 0;
        return;
      case 'clear_occlusion':
        // The stored volume leaves as a bolus (IEC 60601-2-24 asks pumps to limit it); the line relaxes.
        this.occlusion = null;
        this.storedVolume_mL = 0;
        this.latchedAlarms.delete('occlusion');
        return;
      case 'infiltration':
        this.infiltration = {
          startTs: this.t,
          factor: event.factor ?? 5,
          rampMs: event.rampMs ?? 10 * 60_000,
        };
        return;
      case 'air_in_line':
        this.latchedAlarms.add('air_in_line');
        if (this.isDelivering()) this.pumpState = 'stopped';
        return;
      case 'clear_air':
        this.latchedAlarms.delete('air_in_line');
        return;
      case 'battery_low':
        this.battery = Math.min(this.battery, event.battery_pct ?? 15);
        if (event.drain_pct_h !== undefined) this.drain_pct_h = event.drain_pct_h;
        return;
      case 'power_source':
        this.onBattery = event.onBattery;
        return;
      case 'pause':
        if (this.isDelivering()) this.pumpState = 'paused';
        return;
      case 'resume':
        this.resume();
        return;
      case 'stop':
        if (this.pumpState !== 'off') this.pumpState = 'stopped';
        return;
      case 'power_off':
        this.pumpState = 'off';
        return;
      case 'free_flow':
        this.freeFlow = { factor: event.factor ?? 2, flag: event.flag ?? false };
        return;
      case 'end_free_flow':
        this.freeFlow = null;
        return;
      case 'stop_reporting':
        this.reportingEnabled = false;
        return;
      case 'resume_reporting':
        this.reportingEnabled = true;
        return;
      case 'set_rate':
        assertProgram({ ...this.program, rate_mL_h: event.rate_mL_h });
        this.program = { ...this.program, rate_mL_h: event.rate_mL_h };
        return;
      case 'clock_offset':
        this.clockOffsetMs = event.offsetMs;
        return;
      case 'rate_error':
        if (!(Number.isFinite(event.factor) && event.factor >= 0)) {
          throw new SimulatorError('EVENT_INVALID', `rate_error factor must be ≥ 0, got ${event.factor}`);
        }
        this.flowFactor = event.factor;
        return;
      case 'pump_alarm':
        this.latchedAlarms.add(event.flag);
        if (event.stops ?? true) {
          this.blockingAlarms.add(event.flag);
          if (this.isDelivering()) this.pumpState = 'stopped';
        }
        return;
      case 'clear_pump_alarm':
        this.latchedAlarms.delete(event.flag);
        this.blockingAlarms.delete(event.flag);
        return;
    }
  }

  private resume(): void {
    if (this.pumpState === 'off' || this.latchedAlarms.has('air_in_line')) return;
    if (this.blockingAlarms.size > 0) return;
    // Restarting against an occlusion that is still there re-alarms within a step: the pressure is held.
    this.latchedAlarms.delete('occlusion');
    if (this.vi < this.program.vtbi_mL) {
      this.pumpState = 'infusing';
      this.completeAt = null;
    }
  }

  private applyDueEvents(): void {
    while (this.pending.length > 0 && (this.pending[0]?.atTs ?? Number.POSITIVE_INFINITY) <= this.t) {
      const due = this.pending.shift();
      if (due) this.apply(due.event);
    }
  }

  private step(dtMs: number): void {
    const hours = dtMs / MS_PER_HOUR;
    const now = this.t + dtMs;
    this.wanderRateError(dtMs);
    const errorFraction = clamp(this.rateBias + this.rateError, this.physics.rateErrorMax);
    const motor_mL_h = this.setRate() * (1 + errorFraction) * this.flowFactor;

    if (this.occlusion) {
      // The pump counts what its mechanism pushes; the line stores it instead of the vein taking it.
      this.flowToPatient_mL_h = 0;
      this.storedVolume_mL += motor_mL_h * hours;
      this.vi += motor_mL_h * hours;
      if (this.isDelivering() && this.pressure_mmHg >= this.physics.occlusionLimit_mmHg) {
        this.latchedAlarms.add('occlusion');
        this.pumpState = 'stopped';
      }
    } else {
      const gravity_mL_h = this.freeFlow ? this.program.rate_mL_h * this.freeFlow.factor : 0;
      this.flowToPatient_mL_h = Math.max(motor_mL_h, gravity_mL_h);
      this.vi += this.flowToPatient_mL_h * hours;
    }

    if (this.pumpState === 'infusing' && this.vi >= this.program.vtbi_mL && !this.freeFlow) {
      this.vi = this.program.vtbi_mL;
      this.pumpState = 'complete';
      this.completeAt = now;
    }
    if (this.pumpState === 'complete' && this.completeAt !== null) {
      if (now - this.completeAt >= this.physics.completeHold_ms) this.pumpState = 'kvo';
    }

    if (this.onBattery && this.pumpState !== 'off') {
      this.battery = Math.max(0, this.battery - this.drain_pct_h * hours);
      if (this.battery === 0) this.pumpState = 'off';
    } else if (!this.onBattery) {
      this.battery = Math.min(100, this.battery + this.physics.batteryCharge_pct_h * hours);
    }
  }

  /** Ornstein–Uhlenbeck flow error: mean zero, standard deviation rateNoiseSd, slow like real drift. */
  private wanderRateError(dtMs: number): void {
    const decay = Math.exp(-dtMs / this.physics.rateNoiseTau_ms);
    const kick = this.physics.rateNoiseSd * Math.sqrt(1 - decay * decay) * this.motion.gaussian();
    this.rateError = decay * this.rateError + kick;
  }

  private setRate(): number {
    if (this.pumpState === 'infusing') return this.program.rate_mL_h;
    if (this.pumpState === 'kvo') return this.kvoRate();
    return 0;
  }

  private kvoRate(): number {
    return Math.min(this.physics.kvoRate_mL_h, this.program.rate_mL_h);
  }

  private isDelivering(): boolean {
    return this.pumpState === 'infusing' || this.pumpState === 'kvo';
  }

  private resistanceFactor(): number {
    if (!this.infiltration) return 1;
    const { startTs, factor, rampMs } = this.infiltration;
    const progress = rampMs <= 0 ? 1 : Math.min(1, (this.t - startTs) / rampMs);
    return 1 + (factor - 1) * progress;
  }

  private alarms(): string[] {
    const flags = new Set(this.latchedAlarms);
    if (this.battery <= this.physics.batteryEmpty_pct) flags.add('battery_empty');
    else if (this.battery <= this.physics.batteryLow_pct) flags.add('battery_low');
    if (this.pumpState === 'complete' || this.pumpState === 'kvo') flags.add('vtbi_complete');
    if (this.freeFlow?.flag) flags.add('free_flow');
    if (this.pumpState === 'infusing') {
      const remainingMs = ((this.program.vtbi_mL - this.vi) / this.program.rate_mL_h) * MS_PER_HOUR;
      if (remainingMs <= this.physics.nearEnd_ms) flags.add('near_end');
    }
    return [...flags].sort();
  }
}

function assertProgram(program: PumpProgram): void {
  const { rate_mL_h, vtbi_mL } = program;
  if (!(Number.isFinite(rate_mL_h) && rate_mL_h > 0 && rate_mL_h <= MAX_RATE_ML_H)) {
    throw new SimulatorError(
      'PROGRAM_INVALID',
      `rate_mL_h must be in (0, ${MAX_RATE_ML_H}], got ${rate_mL_h}`,
    );
  }
  if (!(Number.isFinite(vtbi_mL) && vtbi_mL > 0)) {
    throw new SimulatorError('PROGRAM_INVALID', `vtbi_mL must be positive, got ${vtbi_mL}`);
  }
}

function clamp(value: number, limit: number): number {
  return Math.max(-limit, Math.min(limit, value));
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
