import type { PumpView } from '@pumpwatch/protocol';
import type { Registry } from 'prom-client';
import { collectedCounter, collectedGauge, type SourceReader } from './collected.js';
import type { ScrapeCache } from './scrape-cache.js';

export interface FleetCounts {
  pumpsOnline: number;
  pumpsOffline: number;
  hubsOnline: number;
  hubsOffline: number;
}

/** Pumps and the hubs they are on, counted (never listed): the label set is `state` only. */
export function countFleet(pumps: readonly PumpView[]): FleetCounts {
  let pumpsOnline = 0;
  const hubs = new Map<string, boolean>();
  for (const pump of pumps) {
    if (pump.online) pumpsOnline += 1;
    hubs.set(pump.hubId, pump.hubOnline);
  }
  let hubsOnline = 0;
  for (const online of hubs.values()) if (online) hubsOnline += 1;
  return {
    pumpsOnline,
    pumpsOffline: pumps.length - pumpsOnline,
    hubsOnline,
    hubsOffline: hubs.size - hubsOnline,
  };
}

/** The fleet (pumps, hubs with pumps) and the dashboards' WebSocket connections. */
export function registerFleetMetrics(registry: Registry, read: SourceReader, cache: ScrapeCache): void {
  const fleet = (pumps: () => readonly PumpView[]) => cache.get('fleet', () => countFleet(pumps()));
  collectedGauge({
    registry,
    read,
    name: 'pumpwatch_pumps',
    help: 'Pumps the server knows, by state: online (heard within pumpOfflineAfterMs, hub up) or offline.',
    labelNames: ['state'],
    samples: (sources) => {
      const counts = fleet(() => sources.pumps());
      return [
        [{ state: 'online' }, counts.pumpsOnline],
        [{ state: 'offline' }, counts.pumpsOffline],
      ];
    },
  });
  collectedGauge({
    registry,
    read,
    name: 'pumpwatch_hubs',
    help: 'Hubs that have pumps, by state: online or offline (Last Will, or never reported a status).',
    labelNames: ['state'],
    samples: (sources) => {
      const counts = fleet(() => sources.pumps());
      return [
        [{ state: 'online' }, counts.hubsOnline],
        [{ state: 'offline' }, counts.hubsOffline],
      ];
    },
  });
  collectedGauge({
    registry,
    read,
    name: 'pumpwatch_websocket_clients',
    help: 'Dashboards connected to /ws now.',
    samples: (sources) => [[{}, sources.websocket().clients]],
  });
  collectedCounter({
    registry,
    read,
    name: 'pumpwatch_websocket_dropped_total',
    help: 'WebSocket clients dropped, by reason: flooding (sent too fast) or slow (fell too far behind).',
    labelNames: ['reason'],
    samples: (sources) =>
      Object.entries(sources.websocket().dropped).map(([reason, count]) => [{ reason }, count] as const),
  });
  collectedCounter({
    registry,
    read,
    name: 'pumpwatch_websocket_rejected_total',
    help: 'WebSocket upgrades refused (no or a bad token).',
    samples: (sources) => [[{}, sources.websocket().rejected]],
  });
}
