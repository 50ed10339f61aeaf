import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GatewayStatus, OutboxStore } from '@pumpwatch/gateway';
import { openDuckDbStore } from '@pumpwatch/server';
import { stringify } from 'yaml';
import { GatewayProcess } from './gateway-process.js';
import { type RunningMosquitto, startMosquitto } from './mosquitto.js';
import { freePort } from './ports.js';
import { getJson } from './server-harness.js';
import { ServerProcess } from './server-process.js';
import { TcpGate } from './tcp-gate.js';
import { sleep, waitFor } from './wait.js';

export interface FaultRigOptions {
  /** `mosquitto`: the server in external-broker mode; `embedded`: the server's own aedes. */
  broker: 'mosquitto' | 'embedded';
  /** Mosquitto's persistence (a periodic snapshot, every 2 s here). */
  persistence?: boolean;
  pumps: number;
  intervalMs: number;
  hubId: string;
  /** The server's group-commit interval: the longer, the more a killed server had taken but not stored. */
  flushIntervalMs?: number;
  /** Extra gateway config (outbox, confirm…). */
  gateway?: Record<string, unknown>;
}

export interface FaultVerdict {
  /** Samples the gateway gave a seq, over all pumps. */
  produced: number;
  stored: number;
  /** Seqs neither stored nor still held at the hub. */
  lost: number;
  /** Seqs stored more than once. */
  duplicates: number;
  /** Still in the hub's outbox at the end (on its disk: not lost). */
  heldAtHub: number;
  dropped: number;
  lostExamples: string[];
}

/**
 * The real parts of the chain, each killable and restartable in place: the gateway (a child process)
 * → a TCP gate (the hub's WAN link) → Mosquitto or the server's embedded aedes → the server (a child
 * process on DuckDB). `verdict` checks, seq by seq for every pump, that whatever the gateway produced
 * is stored exactly once or still held on the hub's disk.
 */
export class FaultRig {
  server!: ServerProcess;
  gateway!: GatewayProcess;
  mosquitto: RunningMosquitto | undefined;
  gate!: TcpGate;
  readonly pumpIds: string[];
  private readonly dir = mkdtempSync(join(tmpdir(), 'pw-fault-'));
  private brokerPort = 0;

  private constructor(readonly options: FaultRigOptions) {
    this.pumpIds = Array.from({ length: options.pumps }, (_, i) => `PUMP-F${String(i + 1).padStart(2, '0')}`);
  }

  static async start(options: FaultRigOptions): Promise<FaultRig> {
    const rig = new FaultRig(options);
    await rig.boot();
    return rig;
  }

  get serverDataDir(): string {
    return join(this.dir, 'server');
  }

  get gatewayDataDir(): string {
    return join(this.dir, 'gateway');
  }

  private async boot(): Promise<void> {
    const { options } = this;
    this.brokerPort = await freePort();
    if (options.broker === 'mosquitto') await this.startBroker();
    const serverConfig = join(this.dir, 'server.yaml');
    writeFileSync(serverConfig, stringify({ store: { flushIntervalMs: options.flushIntervalMs ?? 100 } }));
    this.server = await ServerProcess.start({
      dataDir: this.serverDataDir,
      configFile: serverConfig,
      ...(options.broker === 'mosquitto'
        ? { mqttUrl: `mqtt://127.0.0.1:${this.brokerPort}` }
        : { mqttPort: this.brokerPort }),
    });
    this.gate = await TcpGate.start(this.brokerPort);
    const configFile = join(this.dir, 'gateway.yaml');
    writeFileSync(
      configFile,
      stringify({
        hubId: options.hubId,
        mqtt: { url: this.gate.url, reconnectPeriodMs: 250, keepaliveS: 5 },
        dataDir: this.gatewayDataDir,
        heartbeatMs: 5000,
        status: { port: 0 },
        ...options.gateway,
        pumps: this.pumpIds.map((pumpId) => ({
          pumpId,
          driver: 'simulated',
          intervalMs: options.intervalMs,
        })),
      }),
    );
    this.gateway = new GatewayProcess(configFile);
    await this.gateway.start();
  }

  async startBroker(): Promise<void> {
    const persistenceDir = join(this.dir, 'mosquitto');
    mkdirSync(persistenceDir, { recursive: true });
    this.mosquitto = await startMosquitto('', {
      port: this.brokerPort,
      ...(this.options.persistence ? { persistenceDir, autosaveS: 2 } : {}),
    });
  }

  async status(): Promise<GatewayStatus> {
    return (await getJson<GatewayStatus>(this.gateway.statusUrl as string)).body;
  }

  /** Waits until the server has stored at least `count` samples of every pump. */
  async waitStored(count: number, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      async () => {
        for (const pumpId of this.pumpIds) {
          const { status, body } = await getJson<{ samples: unknown[] }>(
            `${this.server.httpUrl}/api/pumps/${pumpId}/samples?limit=${count}&from=0`,
          );
          if (status !== 200 || body.samples.length < count) return false;
        }
        return true;
      },
      { timeoutMs, intervalMs: 250, what: `${count} samples of every pump stored` },
    );
  }

  async killServer(downMs = 2000): Promise<void> {
    await this.server.kill('SIGKILL');
    await sleep(downMs);
    await this.server.start();
  }

  async killBroker(downMs = 2000): Promise<void> {
    if (this.options.broker === 'embedded') return this.killServer(downMs);
    await this.mosquitto?.kill();
    await sleep(downMs);
    await this.startBroker();
  }

  async killGateway(downMs = 1000): Promise<void> {
    await this.gateway.kill('SIGKILL');
    await sleep(downMs);
    await this.gateway.start();
  }

  /** The hub's WAN link cut: its connection dropped and no new one let through for `ms`. */
  async outage(ms: number, during?: () => Promise<void>): Promise<void> {
    this.gate.hold();
    this.gate.dropAll();
    const until = Date.now() + ms;
    await during?.();
    await sleep(Math.max(0, until - Date.now()));
    this.gate.release();
  }

  /**
   * Lets the chain settle (the hub's outbox down to what is in transit), stops the gateway gracefully,
   * then reads what it produced and what it still holds, and what the server stored, seq by seq.
   */
  async verdict(settleMs = 120_000): Promise<FaultVerdict> {
    const slack = this.options.pumps * 10;
    await waitFor(async () => (await this.status()).outbox.depth <= slack, {
      timeoutMs: settleMs,
      intervalMs: 250,
      what: 'the hub outbox to drain',
    });
    await this.gateway.kill('SIGTERM');
    await sleep(1500);
    await this.server.stop();
    await this.gate.close();
    await this.mosquitto?.stop();

    const hub = await OutboxStore.open(this.gatewayDataDir, { maxEntries: 10_000_000 });
    const held = await hub.readAfter(-1, 10_000_000);
    const lastSeqs = new Map(this.pumpIds.map((pumpId) => [pumpId, hub.lastSeq(pumpId) ?? -1]));
    const dropped = hub.dropped;
    await hub.close();

    const store = await openDuckDbStore({ dataDir: this.serverDataDir });
    const verdict: FaultVerdict = {
      produced: 0,
      stored: 0,
      lost: 0,
      duplicates: 0,
      heldAtHub: held.length,
      dropped,
      lostExamples: [],
    };
    try {
      for (const pumpId of this.pumpIds) {
        const last = lastSeqs.get(pumpId) as number;
        verdict.produced += last + 1;
        const rows = await store.samples.query(pumpId, { limit: 10_000_000 });
        verdict.stored += rows.length;
        const counts = new Map<number, number>();
        for (const row of rows) counts.set(row.seq, (counts.get(row.seq) ?? 0) + 1);
        for (const count of counts.values()) if (count > 1) verdict.duplicates += count - 1;
        const heldSeqs = new Set(held.filter((entry) => entry.pumpId === pumpId).map((e) => e.sample.seq));
        for (let seq = 0; seq <= last; seq++) {
          if (counts.has(seq) || heldSeqs.has(seq)) continue;
          verdict.lost += 1;
          if (verdict.lostExamples.length < 10) verdict.lostExamples.push(`${pumpId}#${seq}`);
        }
      }
    } finally {
      await store.close();
    }
    return verdict;
  }

  async close(): Promise<void> {
    await this.gateway?.kill('SIGKILL').catch(() => undefined);
    await this.server?.kill('SIGKILL').catch(() => undefined);
    await this.gate?.close().catch(() => undefined);
    await this.mosquitto?.kill().catch(() => undefined);
  }
}
