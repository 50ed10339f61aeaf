import { describe, expect, it } from 'vitest';
import type { GatewayStatus } from '../src/gateway.js';
import { startStatusServer } from '../src/status-server.js';

/** A hub with three pumps, one of them down, two with driver figures; nothing here is a real reading. */
const status: GatewayStatus = {
  hubId: 'HUB-SECRET-7',
  running: true,
  connected: false,
  pumps: {
    'PUMP-A1': {
      link: 'up',
      linkChangedAt: 1,
      lastSeq: 40,
      lastReadingAt: 2,
      driver: { decoded: 41, rejected: { bad_checksum: 2, truncated: 1 }, missed: 0, reconnects: 1 },
    },
    'PUMP-B2': {
      link: 'up',
      linkChangedAt: 1,
      lastSeq: 2,
      lastReadingAt: 2,
      driver: { decoded: 2, rejected: { bad_checksum: 3 }, missed: 0, reconnects: 0 },
    },
    'PUMP-C3': { link: 'down', linkChangedAt: null, lastSeq: null, lastReadingAt: null },
  },
  outbox: { depth: 17, inFlight: 4, dropped: 5 },
  lastPublishAt: 1_700_000_000_500,
  confirmation: null,
  rejectedReadings: 6,
};

function sampleValues(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+)\s+(\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    values.set(match[1] ?? '', Number(match[2]));
  }
  return values;
}

describe('gateway status port GET /metrics', () => {
  it('exposes the outbox, link, readings and driver figures of GatewayStatus, summed over pumps', async () => {
    const server = await startStatusServer(() => status, { host: '127.0.0.1', port: 0 });
    try {
      const response = await fetch(server.url.replace(/\/status$/, '/metrics'));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      const values = sampleValues(text);
      expect(Object.fromEntries([...values].filter(([name]) => name.startsWith('pumpwatch_')))).toEqual({
        pumpwatch_gateway_up: 1,
        pumpwatch_gateway_connected: 0,
        'pumpwatch_gateway_pumps{link="up"}': 2,
        'pumpwatch_gateway_pumps{link="down"}': 1,
        pumpwatch_gateway_outbox_depth: 17,
        pumpwatch_gateway_outbox_in_flight: 4,
        pumpwatch_gateway_outbox_dropped_total: 5,
        pumpwatch_gateway_readings_total: 42,
        pumpwatch_gateway_readings_rejected_total: 6,
        pumpwatch_gateway_driver_decoded_total: 43,
        'pumpwatch_gateway_driver_rejected_total{reason="bad_checksum"}': 5,
        'pumpwatch_gateway_driver_rejected_total{reason="truncated"}': 1,
        pumpwatch_gateway_driver_reconnects_total: 1,
        pumpwatch_gateway_last_publish_timestamp_seconds: 1_700_000_000.5,
      });
      expect(values.get('process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
      // Prometheus's target labels say which hub; no pump or hub id is in the text.
      for (const id of ['HUB-SECRET-7', 'PUMP-A1', 'PUMP-B2', 'PUMP-C3']) expect(text).not.toContain(id);
      // Every family has its HELP and TYPE before its samples.
      const declared = [...text.matchAll(/^# TYPE (\S+) (counter|gauge)$/gm)].map((match) => match[1]);
      for (const name of values.keys()) expect(declared).toContain(name.split('{')[0]);
    } finally {
      await server.close();
    }
  });

  it('still answers /status, and 404 with a code for anything else', async () => {
    const server = await startStatusServer(() => status, { host: '127.0.0.1', port: 0 });
    try {
      expect(((await (await fetch(server.url)).json()) as GatewayStatus).outbox.depth).toBe(17);
      const missing = await fetch(server.url.replace(/\/status$/, '/metrics/x'));
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    } finally {
      await server.close();
    }
  });
});
