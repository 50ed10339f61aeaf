import type { Alert, AlertFrame, ServerFrame } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import { buildScenario, type Scenario } from '@pumpwatch/simulators';
import { LoadGenerator } from '@pumpwatch/simulators/mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './support/server-harness.js';
import { waitFor } from './support/wait.js';
import { FrameRecorder } from './support/ws-client.js';

const isAlertFrame = (frame: ServerFrame): frame is AlertFrame => frame.type === 'alert';

/**
 * The load generator against a real server with its embedded broker: every acknowledged sample is
 * ingested, and the scenarios that need more than a pump (an offline hub's Last Will, a pump falling
 * silent, an order PUT before the start) raise their alerts through the real server, in accelerated time.
 */
describe('load generator against a real server (embedded aedes)', () => {
  let server: PumpwatchServer;
  let recorder: FrameRecorder;

  beforeAll(async () => {
    server = await startTestServer({ pumpOfflineAfterMs: 2000 });
    recorder = await FrameRecorder.connect(server.httpUrl);
  });
  afterAll(async () => {
    recorder?.close();
    await server?.stop();
  });

  it('publishes N pumps × f Hz as fake hubs; hub offline, pump silent and order mismatch raise their alerts', async () => {
    // Three hubs of ten pumps: LOAD-H00002 vanishes (pump 20 plays hub_offline); pump 5 falls silent;
    // pump 7 is re-programmed at ten times its order. Onsets are 60 s of event time, 3 s at 20× speed.
    const scenarios: Scenario[] = Array.from({ length: 30 }, (_, i) => {
      if (i === 5) return buildScenario('silent');
      if (i === 7) return buildScenario('order_mismatch');
      if (i === 20) return buildScenario('hub_offline');
      return buildScenario('normal', { rate_mL_h: 20 + i, vtbi_mL: 1000 });
    });
    const generator = await LoadGenerator.start({
      url: server.mqttUrl,
      serverUrl: server.httpUrl,
      pumps: 30,
      hz: 5,
      pumpsPerHub: 10,
      speed: 20,
      mix: { scenarios },
    });
    let stopped = false;
    try {
      const alertOf = (pumpId: string, rule: string) => (alert: Alert) =>
        alert.pumpId === pumpId && alert.rule === rule;
      const open = () => server.ward.openAlerts();
      await waitFor(() => open().some(alertOf('LOAD-P000007', 'order_mismatch')), {
        timeoutMs: 30_000,
        what: 'order_mismatch on LOAD-P000007',
      });
      await waitFor(() => open().some(alertOf('LOAD-P000005', 'pump_offline')), {
        timeoutMs: 30_000,
        what: 'pump_offline on LOAD-P000005',
      });
      const hubOffline = await waitFor(
        () => {
          const pumps = open()
            .filter((alert) => alert.rule === 'hub_offline')
            .map((alert) => alert.pumpId);
          return pumps.length >= 10 && pumps;
        },
        { timeoutMs: 30_000, what: 'hub_offline on the ten pumps of LOAD-H00002' },
      );
      // The Last Will took down exactly the vanished hub's pumps; the other hubs are still up.
      expect([...hubOffline].sort()).toEqual(
        Array.from({ length: 10 }, (_, i) => `LOAD-P${String(20 + i).padStart(6, '0')}`),
      );
      const during = generator.stats();
      expect(during.hubsVanished).toBe(1);
      expect(during.hubsConnected).toBe(2);
      expect(during.errors).toBe(0);
      // Steady rate: what was due was sent, apart from the silent pump and the vanished hub.
      expect(during.published + during.skipped).toBeGreaterThanOrEqual(during.offered - 5);
      expect(during.published).toBeGreaterThan((during.elapsedMs / 1000) * 150 * 0.5);

      stopped = true;
      await generator.stop();
      const final = generator.stats();
      // Every sample the broker acknowledged reaches the server's ingest exactly once.
      await waitFor(() => server.stats.accepted >= final.acked, {
        timeoutMs: 10_000,
        what: 'ingest to catch up',
      });
      expect(server.stats.accepted).toBe(final.acked);
      expect(server.stats.duplicates).toBe(0);
      // The dashboard hears of each: wait for the frames.
      for (const rule of ['order_mismatch', 'pump_offline', 'hub_offline']) {
        await recorder.waitForFrame(
          (frame): frame is AlertFrame => isAlertFrame(frame) && frame.alert.rule === rule,
          { timeoutMs: 15_000, what: `the ${rule} alert frame` },
        );
      }
      expect(recorder.invalidFrames).toBe(0);
    } finally {
      if (!stopped) await generator.stop();
    }
  });

  it('refuses a load it cannot mean, with a stable code', async () => {
    await expect(LoadGenerator.start({ url: server.mqttUrl, pumps: 0, hz: 1 })).rejects.toMatchObject({
      code: 'LOAD_INVALID',
    });
  });
});
