import type { Alert } from '@pumpwatch/protocol';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { AlertTransition } from '../alerts/lifecycle.js';
import { collectedCounter, collectedGauge, type SourceReader } from './collected.js';

/** An open alert's state as operators read it: latched alerts are `active` in the API, shown apart here. */
function stateOf(alert: Alert): 'active' | 'latched' | 'acknowledged' {
  if (alert.status === 'acknowledged') return 'acknowledged';
  return alert.latched ? 'latched' : 'active';
}

export interface AlertMetrics {
  /** Every transition the ward announced; `raised` also times raised → WS frame. */
  onTransition(transition: AlertTransition): void;
}

/**
 * Alerts by rule, priority and state. Rules and priorities are the protocol's fixed lists, so the
 * label set is bounded (19 rules × 3 priorities × 3 states at most) whatever the number of pumps.
 */
export function registerAlertMetrics(
  registry: Registry,
  read: SourceReader,
  now: () => number,
): AlertMetrics {
  collectedGauge({
    registry,
    read,
    name: 'pumpwatch_alerts_open',
    help: 'Open alerts now, by rule, priority and state (active, latched, acknowledged).',
    labelNames: ['rule', 'priority', 'state'],
    samples: (sources) => {
      const counts = new Map<string, { labels: Record<string, string>; count: number }>();
      for (const alert of sources.openAlerts()) {
        const labels = { rule: alert.rule, priority: alert.priority, state: stateOf(alert) };
        const key = `${labels.rule}/${labels.priority}/${labels.state}`;
        const entry = counts.get(key) ?? { labels, count: 0 };
        entry.count += 1;
        counts.set(key, entry);
      }
      return [...counts.values()].map(({ labels, count }) => [labels, count] as const);
    },
  });
  collectedCounter({
    registry,
    read,
    name: 'pumpwatch_alert_errors_total',
    help: 'Alert transitions that could not be stored or notified (`alertErrors` in /api/health).',
    samples: (sources) => [[{}, sources.errors().alertTransitions]],
  });
  const transitions = new Counter({
    name: 'pumpwatch_alert_transitions_total',
    help: 'Alert transitions the ward announced, by rule, priority and type (raised, escalated, acknowledged, resolved…).',
    labelNames: ['rule', 'priority', 'type'],
    registers: [registry],
  });
  const raisedToFrame = new Histogram({
    name: 'pumpwatch_alert_raised_to_ws_frame_seconds',
    help: 'From the engine raising an alert to its frame handed to every connected dashboard (server clock).',
    // The frame goes out in the same turn of the event loop as the decision: milliseconds, unless the
    // loop is blocked (serialising a frame for many dashboards, or a long synchronous task).
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    onTransition(transition) {
      const { alert } = transition;
      transitions.inc({ rule: alert.rule, priority: alert.priority, type: transition.type });
      // Registered after the WebSocket's listener on the same bus: the frame has been sent by now.
      if (transition.type === 'raised') raisedToFrame.observe(Math.max(0, now() - transition.at) / 1000);
    },
  };
}
