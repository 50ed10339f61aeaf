import type { ErrorSink } from '../guard.js';

type Listener<T> = (payload: T) => unknown;

interface Subscription {
  owner: string;
  listener: Listener<never>;
}

/**
 * A typed event bus whose listeners are isolated from one another and from the emitter: a listener that
 * throws, or returns a promise that rejects, is reported to `onError` under its owner's name and the
 * others still run; an async listener is not awaited, so a slow one holds up nobody. Every listener is
 * registered under an owner and removed with it (zigbee2mqtt's eventBus keeps its extensions apart the
 * same way). A listener must do little synchronously: a busy loop in one would still delay the rest.
 */
export class EventBus<Events extends object> {
  private readonly listeners = new Map<keyof Events, Subscription[]>();

  constructor(private readonly onError: ErrorSink) {}

  on<K extends keyof Events>(event: K, owner: string, listener: Listener<Events[K]>): void {
    const list = this.listeners.get(event) ?? [];
    // A copy, so a listener added or removed during an emit does not change that emit's round.
    this.listeners.set(event, [...list, { owner, listener: listener as Listener<never> }]);
  }

  /** Removes every listener `owner` registered, on every event. */
  removeListeners(owner: string): void {
    for (const [event, list] of this.listeners) {
      this.listeners.set(
        event,
        list.filter((subscription) => subscription.owner !== owner),
      );
    }
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (const { owner, listener } of list) {
      try {
        const result = (listener as Listener<Events[K]>)(payload);
        if (result instanceof Promise) {
          result.catch((error: unknown) => this.onError(owner, error, { event: String(event) }));
        }
      } catch (error) {
        this.onError(owner, error, { event: String(event) });
      }
    }
  }

  /** Owners listening to `event`, in the order they are called (for tests and /api/health). */
  owners(event: keyof Events): string[] {
    return (this.listeners.get(event) ?? []).map((subscription) => subscription.owner);
  }
}
