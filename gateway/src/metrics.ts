import type { GatewayStatus } from './gateway.js';

/** The Prometheus text format the status port answers `GET /metrics` with. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Family {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  samples: ReadonlyArray<readonly [labels: Record<string, string>, value: number]>;
}

const escapeLabel = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function render(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const [labels, value] of family.samples) {
      const pairs = Object.entries(labels).map(([key, text]) => `${key}="${escapeLabel(text)}"`);
      lines.push(`${family.name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The hub's figures for Prometheus, read from the same `GatewayStatus` as `GET /status`. Written out by
 * hand rather than with prom-client: a hub has a memory budget (≤ 80 MB with 50 pumps, issue 17) and
 * needs a dozen lines. No label names a pump or the hub: Prometheus's target labels say which hub, and
 * per-pump figures stay on `/status`. Driver rejection reasons are the drivers' fixed codes.
 */
export function gatewayMetrics(status: GatewayStatus, runtime: NodeJS.Process = process): string {
  const pumps = Object.values(status.pumps);
  const up = pumps.filter((pump) => pump.link === 'up').length;
  const sum = (pick: (pump: (typeof pumps)[number]) => number) =>
    pumps.reduce((total, pump) => total + pick(pump), 0);
  const rejectedByReason = new Map<string, number>();
  for (const pump of pumps)
    for (const [reason, count] of Object.entries(pump.driver?.rejected ?? {}))
      rejectedByReason.set(reason, (rejectedByReason.get(reason) ?? 0) + count);
  const cpu = runtime.cpuUsage();
  const families: Family[] = [
    gauge(
      'pumpwatch_gateway_up',
      'Whether the gateway is running (1) or starting/stopping (0).',
      status.running ? 1 : 0,
    ),
    gauge(
      'pumpwatch_gateway_connected',
      '1 while connected to the MQTT broker, else 0.',
      status.connected ? 1 : 0,
    ),
    {
      name: 'pumpwatch_gateway_pumps',
      type: 'gauge',
      help: "Configured pumps by the driver's link state (up, down).",
      samples: [
        [{ link: 'up' }, up],
        [{ link: 'down' }, pumps.length - up],
      ],
    },
    gauge(
      'pumpwatch_gateway_outbox_depth',
      'Samples on disk not yet acknowledged by the broker.',
      status.outbox.depth,
    ),
    gauge(
      'pumpwatch_gateway_outbox_in_flight',
      'Publishes waiting for their PUBACK.',
      status.outbox.inFlight,
    ),
    counter(
      'pumpwatch_gateway_outbox_dropped_total',
      'Samples dropped over the disk budget since the outbox was created.',
      status.outbox.dropped,
    ),
    counter(
      'pumpwatch_gateway_readings_total',
      "Readings given a seq: the sum over this hub's pumps of the last seq assigned (persisted, so it survives restarts).",
      sum((pump) => pump.lastSeq ?? 0),
    ),
    counter(
      'pumpwatch_gateway_readings_rejected_total',
      'Readings refused because they failed the telemetry schema (they get no seq) since the gateway started.',
      status.rejectedReadings,
    ),
    counter(
      'pumpwatch_gateway_driver_decoded_total',
      'Frames or values the drivers decoded into samples since the gateway started.',
      sum((pump) => pump.driver?.decoded ?? 0),
    ),
    {
      name: 'pumpwatch_gateway_driver_rejected_total',
      type: 'counter',
      help: 'Bad input the drivers skipped, by reason (bad_checksum, truncated, short_value…).',
      samples: [...rejectedByReason].map(([reason, count]) => [{ reason }, count] as const),
    },
    counter(
      'pumpwatch_gateway_driver_reconnects_total',
      'Times a driver reopened its port or reconnected to its pump.',
      sum((pump) => pump.driver?.reconnects ?? 0),
    ),
    gauge(
      'pumpwatch_gateway_last_publish_timestamp_seconds',
      'Hub time of the last telemetry PUBACK (0 before the first).',
      (status.lastPublishAt ?? 0) / 1000,
    ),
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', runtime.memoryUsage.rss()),
    counter(
      'process_cpu_seconds_total',
      'User and system CPU time spent in seconds.',
      (cpu.user + cpu.system) / 1e6,
    ),
  ];
  return render(families);
}

function gauge(name: string, help: string, value: number): Family {
  return { name, type: 'gauge', help, samples: [[{}, value]] };
}

function counter(name: string, help: string, value: number): Family {
  return { name, type: 'counter', help, samples: [[{}, value]] };
}
