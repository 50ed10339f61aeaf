import type { AlertTransition } from '../alerts/lifecycle.js';

/** What the ward shell announces; every consumer of ward state listens here (ward/event-bus.ts). */
export interface WardEvents {
  /** An alert changed (raised, escalated, acknowledged…): announced before it is stored. */
  alert: AlertTransition;
  /** Pumps whose view changed: live values, online, link, alerts or order. */
  pumpsChanged: readonly string[];
}
