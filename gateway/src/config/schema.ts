import { DEFAULT_TOPIC_PREFIX, idSchema, MAX_RATE_ML_H } from '@pumpwatch/protocol';
import { demoFleet, scenarioNames } from '@pumpwatch/simulators';
import { z } from 'zod';

/** A simulated pump: the simulators' PumpModel playing a named scenario. */
const simulatedPumpSchema = z.strictObject({
  pumpId: idSchema,
  driver: z.literal('simulated'),
  scenario: z.enum(scenarioNames).default('normal'),
  rate_mL_h: z.number().positive().max(MAX_RATE_ML_H).optional(),
  vtbi_mL: z.number().positive().optional(),
  /** When the scenario's problem starts, in simulated ms after the gateway starts. */
  onsetMs: z.number().int().nonnegative().optional(),
  /** Time acceleration; defaults to `simulation.speed`. */
  speed: z.number().positive().max(10_000).optional(),
  /** Wall-clock ms between samples; defaults to `simulation.intervalMs`. */
  intervalMs: z.number().int().min(10).max(3_600_000).optional(),
  /** PRNG seed; defaults to a hash of the pump id, so a pump behaves the same every run. */
  seed: z.number().int().nonnegative().optional(),
});

/** A pump on a serial port speaking the PW1 line protocol (docs/serial-protocol.md); one port per pump. */
const serialPumpSchema = z.strictObject({
  pumpId: idSchema,
  driver: z.literal('serial'),
  /** Device path; prefer the stable `/dev/serial/by-id/…` symlink over `/dev/ttyUSB0`. */
  path: z.string().min(1).max(1024),
  baudRate: z.number().int().min(300).max(4_000_000).default(9600),
  /** No valid frame for this long → link down (the pump sends one every second or so). */
  linkTimeoutMs: z.number().int().min(100).max(600_000).default(5000),
  /** How often the device is checked for having been unplugged or replaced. */
  checkIntervalMs: z.number().int().min(50).max(60_000).default(1000),
  reopenMinMs: z.number().int().min(10).max(600_000).default(500),
  reopenMaxMs: z.number().int().min(10).max(3_600_000).default(30_000),
});

/**
 * A BLE pump laid out after the Insulin Delivery Service (docs/gateway.md, "BLE driver"). The radio
 * library is loaded only when at least one of these is configured.
 */
const blePumpSchema = z.strictObject({
  pumpId: idSchema,
  driver: z.literal('ble'),
  /** Peripheral address (`aa:bb:cc:dd:ee:ff`) or advertised local name. */
  address: z.string().min(1).max(64),
  /** The pump's values carry the IDS E2E-Counter and E2E-CRC. */
  e2e: z.boolean().default(false),
  intervalMs: z.number().int().min(100).max(3_600_000).default(1000),
  /** Polling backs off up to this while the pump answers slowly. */
  maxIntervalMs: z.number().int().min(100).max(3_600_000).default(30_000),
  connectTimeoutMs: z.number().int().min(100).max(600_000).default(15_000),
  readTimeoutMs: z.number().int().min(50).max(600_000).default(5000),
  reconnectMinMs: z.number().int().min(10).max(600_000).default(1000),
  reconnectMaxMs: z.number().int().min(10).max(3_600_000).default(60_000),
});

export const pumpConfigSchema = z.discriminatedUnion('driver', [
  simulatedPumpSchema,
  serialPumpSchema,
  blePumpSchema,
]);
export type PumpConfig = z.infer<typeof pumpConfigSchema>;
export type SimulatedPumpConfig = z.infer<typeof simulatedPumpSchema>;
export type SerialPumpConfig = z.infer<typeof serialPumpSchema>;
export type BlePumpConfig = z.infer<typeof blePumpSchema>;

const topicPrefixSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^#+/][^#+]*[^#+/]$|^[^#+/]$/, 'no MQTT wildcards (# +) and no leading or trailing "/"');

export const gatewayConfigSchema = z
  .strictObject({
    hubId: idSchema,
    mqtt: z
      .strictObject({
        url: z
          .string()
          .regex(/^(mqtts?|wss?|tcp|ssl):\/\/\S+$/, 'must be an mqtt://, mqtts://, ws:// or wss:// URL')
          .default('mqtt://127.0.0.1:1883'),
        username: z.string().min(1).optional(),
        password: z.string().optional(),
        /**
         * Defaults to `{hubId}:gateway`: one session per hub, a second hub process kicks the first. With
         * authentication on, the embedded broker accepts only `{hubId}` or `{hubId}:anything`.
         */
        clientId: z.string().min(1).max(128).optional(),
        reconnectPeriodMs: z.number().int().min(50).max(600_000).default(1000),
        connectTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
        keepaliveS: z.number().int().min(1).max(3600).default(30),
      })
      .prefault({}),
    topicPrefix: topicPrefixSchema.default(DEFAULT_TOPIC_PREFIX),
    dataDir: z.string().min(1).default('./data/gateway'),
    /** Retained status is republished this often; the server's hub_offline rule waits 60 s for it. */
    heartbeatMs: z.number().int().min(100).max(3_600_000).default(15_000),
    outbox: z
      .strictObject({
        /** Disk budget in samples: about 300 bytes each, so 100 000 is ~30 MB and ~4 h of 7 pumps at 1 Hz. */
        maxEntries: z.number().int().min(1).max(100_000_000).default(100_000),
        maxInFlight: z.number().int().min(1).max(1000).default(64),
      })
      .prefault({}),
    /** End-to-end confirmation by the server (docs/gateway.md, "Nothing lost"). */
    confirm: z
      .strictObject({
        /**
         * `auto`: keep samples until the server's watermark passes them; with a server that has never
         * sent one, fall back to the broker's PUBACK after `fallbackAfterMs` (logged once). `server`:
         * never fall back. `broker`: PUBACK only, as gateways before 0.2.
         */
        mode: z.enum(['auto', 'server', 'broker']).default('auto'),
        fallbackAfterMs: z.number().int().min(1000).max(86_400_000).default(60_000),
        /** Re-send what is held when the watermark has not moved for this long (doubling up to the max). */
        resendAfterMs: z.number().int().min(500).max(3_600_000).default(15_000),
        resendMaxMs: z.number().int().min(500).max(86_400_000).default(600_000),
        /** "Monitoring not confirmed": samples waiting and no confirmation for this long. */
        alarm: z
          .strictObject({
            afterMs: z.number().int().min(1000).max(86_400_000).default(120_000),
            /** Run once when the state is entered (argv, no shell): a buzzer, an LED, a spoken message. */
            command: z.array(z.string().min(1)).min(1).optional(),
            /** Run once when confirmation resumes. */
            clearCommand: z.array(z.string().min(1)).min(1).optional(),
            commandTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
          })
          .prefault({}),
      })
      .prefault({}),
    /** Defaults for simulated pumps that do not set their own. */
    simulation: z
      .strictObject({
        speed: z.number().positive().max(10_000).default(1),
        intervalMs: z.number().int().min(10).max(3_600_000).default(1000),
      })
      .prefault({}),
    /** Local status endpoint (GET /status): each pump's link, the outbox, the last publish. */
    status: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Loopback by default: the endpoint has no authentication. */
        host: z.string().min(1).default('127.0.0.1'),
        /** 0 lets the system choose (logged at start). */
        port: z.number().int().min(0).max(65_535).default(8765),
      })
      .prefault({}),
    /** Adds the simulators' demo fleet (PUMP-0001…) to `pumps`. */
    demo: z.boolean().default(false),
    pumps: z.array(pumpConfigSchema).default([]),
  })
  .superRefine(
    (config, ctx) => {
      const seen = new Set<string>(config.demo === true ? demoFleet().map((p) => p.pumpId) : []);
      config.pumps.forEach((pump, index) => {
        // Runs on a config with errors elsewhere too (see `when`): a pump may be half valid.
        if (typeof pump?.pumpId !== 'string') return;
        if (seen.has(pump.pumpId)) {
          ctx.addIssue({
            code: 'custom',
            path: ['pumps', index, 'pumpId'],
            message: `duplicate pump id ${pump.pumpId}${config.demo ? ' (the demo fleet may use it)' : ''}`,
          });
        }
        seen.add(pump.pumpId);
      });
      const paths = new Map<string, number>();
      config.pumps.forEach((pump, index) => {
        if (pump?.driver !== 'serial' || typeof pump.path !== 'string') return;
        const first = paths.get(pump.path);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['pumps', index, 'path'],
            message: `${pump.path} is already pumps.${first}: one serial port per pump`,
          });
        }
        paths.set(pump.path, index);
        if (pump.reopenMaxMs < pump.reopenMinMs) {
          ctx.addIssue({
            code: 'custom',
            path: ['pumps', index, 'reopenMaxMs'],
            message: 'below reopenMinMs',
          });
        }
      });
      if (seen.size === 0 && config.pumps.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['pumps'], message: 'no pumps: list some or set demo: true' });
      }
    },
    // By default zod skips this once a field failed (a missing hubId): run it whenever there is a pump
    // list, so that every problem is listed at once (issue 17).
    { when: (payload) => Array.isArray((payload.value as { pumps?: unknown } | undefined)?.pumps) },
  );

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
/** What a config file may contain: everything with a default can be left out. */
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
