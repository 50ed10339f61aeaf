import { mkdtempSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, type Gateway, gatewayConfigSchema, startStatusServer } from '@pumpwatch/gateway';
import type { PumpView, SamplesResponse } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import { buildScenario, createPrng, createPumpFromScenario } from '@pumpwatch/simulators';
import { encodeSerialFrame, lineNoise, lineNoiseKinds, SerialPump } from '@pumpwatch/simulators/serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PtyPair } from './support/pty.js';
import { getJson, startTestServer } from './support/server-harness.js';
import { sleep, waitFor } from './support/wait.js';

const PUMPS = ['PUMP-SER-1', 'PUMP-SER-2', 'PUMP-SER-3'];

/**
 * Issue 3, serial: three simulated pumps write the PW1 line protocol at 1 Hz into socat PTY pairs; the
 * real gateway reads them through `/dev/serial/by-id`-style symlinks and publishes to the server's
 * embedded broker; the real server ingests. Corrupt input between good frames, then a pulled cable.
 */
describe('gateway serial driver through PTYs to a real broker and server', () => {
  let server: PumpwatchServer;
  let gateway: Gateway;
  let statusUrl: string;
  let closeStatus: () => Promise<void>;
  const pairs: PtyPair[] = [];
  const pumps: SerialPump[] = [];

  const pumpView = async (pumpId: string) =>
    (await getJson<PumpView[]>(`${server.httpUrl}/api/pumps`)).body.find((p) => p.pumpId === pumpId);

  beforeAll(async () => {
    server = await startTestServer();
    const dir = mkdtempSync(join(tmpdir(), 'pw-pty-'));
    for (const [i, pumpId] of PUMPS.entries()) {
      const pair = await PtyPair.create(dir, `p${i + 1}`);
      pairs.push(pair);
      const model = createPumpFromScenario(buildScenario('normal', { rate_mL_h: 50 + i * 25 }), {
        seed: i + 1,
        startTs: Date.now(),
      });
      const pump = new SerialPump({ path: pair.pumpEnd, model, intervalMs: 1000 });
      pumps.push(pump);
      await pump.start();
      expect(pumpId).toMatch(/^PUMP-SER-/);
    }
    const config = gatewayConfigSchema.parse({
      hubId: 'HUB-SERIAL',
      mqtt: { url: server.mqttUrl, reconnectPeriodMs: 200 },
      dataDir: mkdtempSync(join(tmpdir(), 'pw-gw-serial-')),
      heartbeatMs: 2000,
      pumps: PUMPS.map((pumpId, i) => ({
        pumpId,
        driver: 'serial',
        path: pairs[i]?.byId,
        linkTimeoutMs: 3000,
        checkIntervalMs: 250,
        reopenMinMs: 200,
        reopenMaxMs: 1000,
      })),
    });
    gateway = createGateway(config);
    await gateway.start();
    const status = await startStatusServer(() => gateway.status(), { host: '127.0.0.1', port: 0 });
    statusUrl = status.url;
    closeStatus = status.close;
  });

  afterAll(async () => {
    await closeStatus?.();
    await gateway?.stop();
    for (const pump of pumps) await pump.stop();
    for (const pair of pairs) await pair.close();
    await server?.stop();
  });

  it('streams three pumps at 1 Hz to the server, links up', async () => {
    await waitFor(
      async () => {
        const views = await Promise.all(PUMPS.map(pumpView));
        return views.every((view) => view?.link === 'up' && (view.latest?.seq ?? -1) >= 2);
      },
      { timeoutMs: 15_000, what: 'three serial pumps up with samples at the server' },
    );
    const view = await pumpView('PUMP-SER-2');
    expect(view).toMatchObject({ hubId: 'HUB-SERIAL', online: true, link: 'up' });
    expect(view?.latest).toMatchObject({ state: 'infusing', rate_mL_h: 75 });
  });

  it('counts corrupt input by reason between good frames and keeps decoding', async () => {
    const prng = createPrng(11);
    const target = pumps[0] as SerialPump;
    const before = gateway.status().pumps['PUMP-SER-1']?.driver?.decoded ?? 0;
    const template = encodeSerialFrame(
      { v: 1, ts: Date.now(), state: 'infusing', rate_mL_h: 1, vi_mL: 0, alarms: [] },
      0,
    );
    for (const kind of lineNoiseKinds) {
      await target.inject(lineNoise(kind, template, prng));
      await sleep(150);
    }
    // A frame cut short with the next good frame on the same line (an unplug glitch mid-frame).
    await target.inject(template.slice(0, 20));
    await sleep(2500);

    const driver = gateway.status().pumps['PUMP-SER-1']?.driver;
    expect(driver?.rejected).toMatchObject({
      bad_checksum: 1,
      garbage: expect.any(Number),
      overlong: 1,
      binary_noise: expect.any(Number),
    });
    expect(driver?.rejected.truncated).toBeGreaterThanOrEqual(2);
    expect(driver?.decoded).toBeGreaterThan(before + 1);
    // The pumps around the noise kept flowing: no gap in what the server got.
    const samples = (await getJson<SamplesResponse>(`${server.httpUrl}/api/pumps/PUMP-SER-1/samples`)).body;
    const seqs = samples.samples.map((s) => s.seq);
    expect(seqs).toEqual([...Array(seqs.length).keys()]);
    expect((await pumpView('PUMP-SER-1'))?.link).toBe('up');
  });

  it('sees an unplugged pump as link down, and it comes back by itself when replugged', async () => {
    const pair = pairs[1] as PtyPair;
    const lastBefore = (await pumpView('PUMP-SER-2'))?.latest?.seq ?? -1;
    await pair.unplug();
    await waitFor(async () => (await pumpView('PUMP-SER-2'))?.link === 'down', {
      timeoutMs: 5000,
      what: 'link down at the server',
    });
    const local = gateway.status().pumps['PUMP-SER-2'];
    expect(local?.link).toBe('down');
    expect(local?.linkReason).toMatch(/closed|removed|cannot open/);
    // The other pumps are not affected.
    expect((await pumpView('PUMP-SER-3'))?.link).toBe('up');
    await sleep(1500);

    await pair.replug();
    await waitFor(async () => (await pumpView('PUMP-SER-2'))?.link === 'up', {
      timeoutMs: 10_000,
      what: 'link up again at the server',
    });
    await waitFor(async () => ((await pumpView('PUMP-SER-2'))?.latest?.seq ?? -1) > lastBefore + 1, {
      timeoutMs: 5000,
      what: 'samples after the replug',
    });
    expect(gateway.status().pumps['PUMP-SER-2']?.driver?.reconnects).toBe(1);
    // Frames written while the cable was out are lost on the wire and show as missed frames.
    expect(gateway.status().pumps['PUMP-SER-2']?.driver?.missed).toBeGreaterThan(0);
  });

  it('notices a device replaced behind its by-id link, with no close event, by the periodic check', async () => {
    // The old PTY stays alive, so serialport sees nothing: only the stat of the path can tell.
    const dir = mkdtempSync(join(tmpdir(), 'pw-pty-swap-'));
    const replacement = await PtyPair.create(dir, 'p3b');
    pairs.push(replacement);
    const model = createPumpFromScenario(buildScenario('normal', { rate_mL_h: 42 }), {
      seed: 9,
      startTs: Date.now(),
    });
    const pump = new SerialPump({ path: replacement.pumpEnd, model, intervalMs: 1000 });
    pumps.push(pump);
    await pump.start();
    const byId = (pairs[2] as PtyPair).byId;
    unlinkSync(byId);
    symlinkSync(replacement.gatewayEnd, byId);
    await waitFor(async () => ((await pumpView('PUMP-SER-3'))?.latest?.rate_mL_h ?? 0) === 42, {
      timeoutMs: 10_000,
      what: 'samples from the replacement device',
    });
    expect(gateway.status().pumps['PUMP-SER-3']?.driver?.reconnects).toBe(1);
  });

  it('never writes to a pump, and the local status endpoint shows link, outbox and last publish', async () => {
    for (const pump of pumps) expect(pump.bytesReceived).toBe(0);
    const status = (await getJson<ReturnType<Gateway['status']>>(statusUrl)).body;
    expect(status).toMatchObject({ hubId: 'HUB-SERIAL', running: true, connected: true });
    expect(Object.keys(status.pumps).sort()).toEqual(PUMPS);
    expect(status.pumps['PUMP-SER-1']).toMatchObject({ link: 'up', driver: { reconnects: 0 } });
    expect(status.outbox).toMatchObject({ dropped: 0 });
    expect(status.outbox.depth).toBeLessThan(10);
    expect(status.lastPublishAt).toBeGreaterThan(Date.now() - 5000);
  });
});
