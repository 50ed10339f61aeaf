import type { IngestRejectReason } from '@pumpwatch/protocol';
import type { AlertTransition } from '../alerts/lifecycle.js';
import type { StoredSample } from '../store/ports.js';

/**
 * What the ward core decided, for the shell to carry out: the only way the core reaches the world. The
 * core has already applied every transition to its own state (so the next input sees it); the shell
 * stores, announces, persists and notifies.
 */
export interface WardEffects {
  /** The sample to store, when one was accepted. */
  readonly store?: StoredSample;
  /** Alert transitions, in the order they happened. */
  readonly transitions: readonly AlertTransition[];
  /** Pumps whose view changed (live values, online, link, alerts, order): the dashboard's pump frames. */
  readonly changed: readonly string[];
}

/** A message the core turned down: nothing of the pump was touched. */
export interface Refusal {
  readonly refused: IngestRejectReason;
}

/** Shared, so the per-sample path allocates nothing when nothing happened. */
const NONE: readonly never[] = [];

export const NO_EFFECTS: WardEffects = { transitions: NONE, changed: NONE };

export function isRefusal(outcome: WardEffects | Refusal): outcome is Refusal {
  return 'refused' in outcome;
}

/** Collects effects across several pumps (a tick, a hub status) without allocating for quiet pumps. */
export class EffectsBuilder {
  private transitions: AlertTransition[] | undefined;
  private changed: Set<string> | undefined;

  addTransitions(transitions: readonly AlertTransition[]): void {
    if (transitions.length === 0) return;
    this.transitions ??= [];
    for (const transition of transitions) {
      this.transitions.push(transition);
      this.change(transition.alert.pumpId);
    }
  }

  change(pumpId: string): void {
    this.changed ??= new Set();
    this.changed.add(pumpId);
  }

  build(store?: StoredSample): WardEffects {
    if (!this.transitions && !this.changed && !store) return NO_EFFECTS;
    return {
      ...(store ? { store } : {}),
      transitions: this.transitions ?? NONE,
      changed: this.changed ? [...this.changed] : NONE,
    };
  }
}
