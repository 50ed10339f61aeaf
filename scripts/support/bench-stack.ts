import WebSocket from 'ws';
import type { LadderLoad } from './ladder.js';
import { LoadChild } from './load-child.js';
import { BENCH_MOSQUITTO_CONFIG, startMosquitto } from './mosquitto.js';
import { sleep } from './proc.js';
import { type ServerChild, startServerChild } from './server-child.js';

export type BrokerKind = 'aedes' | 'mosquitto';

export interface BenchConfig {
  pumps: number;
  bigPumps: number;
  settleMs: number;
  windowMs: number;
  startPerS: number;
  /** Each ladder step offers this many times the last. */
  factor: number;
  maxPerS: number;
  latencySeconds: number;
  latencyPerSecond: number;
  cpuProfileDir?: string;
  log: (line: string) => void;
}

/** Broker (Mosquitto, or none: the server embeds aedes), server, a dashboard client, and the load. */
export interface Stack {
  server: ServerChild;
  load: LoadChild;
  rssIdleBytes: number;
  watch: Record<string, number>;
  accepted: () => Promise<number>;
  /**
   * Adds a second generator of `pumps` more pumps (other ids): stopping the first would make its hubs
   * say goodbye and raise thousands of hub_offline alerts in the middle of the measurement.
   */
  addLoad(pumps: number, hz: number): Promise<LadderLoad>;
  stop(): Promise<void>;
}

export async function startStack(
  kind: BrokerKind,
  config: BenchConfig,
  pumps: number,
  hz: number,
  tag: string,
): Promise<Stack> {
  const external = kind === 'mosquitto' ? await startMosquitto(BENCH_MOSQUITTO_CONFIG) : null;
  let server: ServerChild | null = null;
  let load: LoadChild | null = null;
  let extra: LoadChild | null = null;
  let dashboard: { close: () => void } | null = null;
  // The server stops first: hubs saying goodbye to a running server would raise thousands of
  // hub_offline alerts and hold up its shutdown (and its CPU profile).
  const stop = async () => {
    await server?.stop().catch(() => {});
    dashboard?.close();
    await extra?.stop().catch(() => {});
    await load?.stop().catch(() => {});
    await external?.stop().catch(() => {});
  };
  try {
    server = await startServerChild({
      ...(external ? { mqttUrl: external.url } : {}),
      ...(config.cpuProfileDir ? { cpuProfileDir: `${config.cpuProfileDir}/${kind}-${tag}` } : {}),
    });
    await sleep(1000);
    const rssIdleBytes = server.rss();
    dashboard = await connectDashboard(server.httpUrl);
    load = await LoadChild.start({ url: server.mqttUrl, pumps, hz });
    const running = server;
    const stack: Stack = {
      server: running,
      load,
      rssIdleBytes,
      watch: { server: running.pid, generator: load.pid, ...(external ? { mosquitto: external.pid } : {}) },
      accepted: async () => (await running.ingest()).accepted,
      async addLoad(morePumps: number, newHz: number) {
        const first = load as LoadChild;
        extra = await LoadChild.start({
          url: running.mqttUrl,
          pumps: morePumps,
          hz: newHz,
          idPrefix: 'LOADB',
        });
        const second = extra;
        stack.watch.generator2 = second.pid;
        return {
          setRate(hz: number) {
            first.setRate(hz);
            second.setRate(hz);
          },
          async stats() {
            const [a, b] = await Promise.all([first.stats(), second.stats()]);
            return {
              ...a,
              acked: a.acked + b.acked,
              published: a.published + b.published,
              shortfall: a.shortfall + b.shortfall,
            };
          },
        };
      },
      stop,
    };
    return stack;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A `/ws` client standing in for a dashboard: it takes every frame and counts them. */
async function connectDashboard(httpUrl: string): Promise<{ frames: () => number; close: () => void }> {
  const socket = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/ws`);
  let frames = 0;
  socket.on('message', () => {
    frames += 1;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { frames: () => frames, close: () => socket.terminate() };
}
