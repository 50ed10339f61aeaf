import { BURSTS, type Tone } from './alarm.js';

/**
 * Plays the IEC 60601-1-8 bursts of alarm.ts with Web Audio. Bursts are scheduled on the AudioContext's
 * own clock a few seconds ahead, so they keep their rhythm when the browser throttles timers in a
 * background tab (a tab that plays audio is not throttled hard, and this one keeps playing while an
 * alarm needs it). Browsers start audio only after a user gesture: until then the state is `blocked`
 * and the console says so.
 */

export type SoundState = 'unsupported' | 'blocked' | 'ready';

export interface AlarmPlayer {
  /** From a user gesture (click, key): lets the browser start audio. */
  unlock(): Promise<void>;
  /** The tone wanted now, or null for silence; call often (each render), it only acts on changes. */
  setDemand(tone: Tone | null): void;
  state(): SoundState;
  /** Bursts that have started playing since the page loaded, for the test hook and diagnostics. */
  burstsPlayed(): number;
  playing(): Tone | null;
}

/** How far ahead bursts are put on the audio clock (s). */
const LOOKAHEAD_S = 8;
const MASTER_GAIN = 0.3;
/** Rise and fall of each pulse (s): 10–20 % of its length, so pulses click neither on nor off. */
const EDGE_S = 0.025;

export function createAlarmPlayer(
  AudioContextCtor: typeof AudioContext | undefined = globalThis.AudioContext,
): AlarmPlayer {
  let ctx: AudioContext | null = null;
  try {
    ctx = AudioContextCtor ? new AudioContextCtor() : null;
  } catch {
    ctx = null;
  }
  const master = ctx?.createGain() ?? null;
  if (ctx && master) {
    master.gain.value = MASTER_GAIN;
    master.connect(ctx.destination);
  }
  const waves = new Map<Tone, PeriodicWave>();
  let tone: Tone | null = null;
  let nextBurstAt = 0;
  const burstStarts: number[] = [];
  let played = 0;
  const live = new Set<OscillatorNode>();

  // Fundamental plus four harmonics: IEC 60601-1-8 asks for at least four in the 300–4000 Hz band so the
  // alarm is heard through noise and by people with partial hearing loss.
  const wave = (t: Tone): PeriodicWave => {
    let w = waves.get(t);
    if (!w && ctx) {
      const real = new Float32Array([0, 0, 0, 0, 0, 0]);
      const imag = new Float32Array([0, 1, 0.6, 0.45, 0.35, 0.3]);
      w = ctx.createPeriodicWave(real, imag);
      waves.set(t, w);
    }
    return w as PeriodicWave;
  };

  const stopAll = () => {
    for (const osc of live) {
      try {
        osc.stop();
      } catch {
        // Already stopped.
      }
      osc.disconnect();
    }
    live.clear();
    burstStarts.length = 0;
  };

  const scheduleBurst = (t: Tone, at: number) => {
    if (!ctx || !master) return;
    const pattern = BURSTS[t];
    for (const pulse of pattern.pulses) {
      const start = at + pulse.at / 1000;
      const end = start + pulse.ms / 1000;
      const osc = ctx.createOscillator();
      osc.setPeriodicWave(wave(t));
      osc.frequency.value = pattern.frequencyHz;
      const env = ctx.createGain();
      env.gain.setValueAtTime(0, start);
      env.gain.linearRampToValueAtTime(1, start + EDGE_S);
      env.gain.setValueAtTime(1, end - EDGE_S);
      env.gain.linearRampToValueAtTime(0, end);
      osc.connect(env).connect(master);
      osc.onended = () => {
        live.delete(osc);
        env.disconnect();
      };
      live.add(osc);
      osc.start(start);
      osc.stop(end + 0.01);
    }
    burstStarts.push(at);
  };

  const countStarted = () => {
    if (!ctx) return;
    while (burstStarts.length > 0 && (burstStarts[0] as number) <= ctx.currentTime) {
      burstStarts.shift();
      played++;
    }
  };

  const state = (): SoundState => (!ctx ? 'unsupported' : ctx.state === 'running' ? 'ready' : 'blocked');

  return {
    async unlock() {
      if (ctx && ctx.state !== 'running') {
        try {
          await ctx.resume();
        } catch {
          // Still blocked: the console keeps saying so.
        }
      }
    },
    setDemand(wanted) {
      countStarted();
      if (!ctx || state() !== 'ready') {
        if (tone !== null) stopAll();
        tone = null;
        return;
      }
      if (wanted !== tone) {
        stopAll();
        tone = wanted;
        nextBurstAt = ctx.currentTime + 0.05;
      }
      if (tone === null) return;
      const repeatS = BURSTS[tone].repeatMs / 1000;
      // After a long stall (a frozen tab) start afresh rather than cramming missed bursts in.
      if (nextBurstAt < ctx.currentTime) nextBurstAt = ctx.currentTime + 0.05;
      while (nextBurstAt < ctx.currentTime + LOOKAHEAD_S) {
        scheduleBurst(tone, nextBurstAt);
        nextBurstAt += repeatS;
      }
      countStarted();
    },
    state,
    burstsPlayed() {
      countStarted();
      return played;
    },
    playing: () => tone,
  };
}
