import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Alert, telemetryTopic } from '@pumpwatch/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubSample } from './support/samples.js';
import { getJson, postJson } from './support/server-harness.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';

const prefix = 'pumpwatch/v1';

/** Alert state and its timers survive a SIGKILL of the server (issue 4, restart safety). */
describe('alerts across a server SIGKILL', () => {
  let server: ServerProcess;
  let client: MqttClient;
  const seqs = new Map<string, number>();

  const publish = async (pumpId: string, overrides: Record<string, unknown>) => {
    const seq = (seqs.get(pumpId) ?? 0) + 1;
    seqs.set(pumpId, seq);
    const sample = hubSample(seq, overrides);
    await client.publishAsync(telemetryTopic(prefix, 'hub-restart', pumpId), JSON.stringify(sample), {
      qos: 1,
    });
  };
  const alerts = async () => (await getJson<Alert[]>(`${server.httpUrl}/api/alerts`)).body;
  const alertOf = async (pumpId: string) => (await alerts()).find((alert) => alert.pumpId === pumpId);

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-restart-'));
    const configFile = join(dir, 'server.yaml');
    writeFileSync(
      configFile,
      [
        'pumpOfflineAfterMs: 600000',
        'escalation:',
        '  highAfterMs: 4000',
        '  tiers:',
        '    - name: first on call',
        '    - name: second on call',
      ].join('\n'),
    );
    server = await ServerProcess.start({ dataDir: join(dir, 'data'), configFile });
    client = await mqtt.connectAsync(server.mqttUrl, { reconnectPeriod: 200 });
  });
  afterAll(async () => {
    await client?.endAsync(true);
    await server?.stop();
  });

  it('restores active, latched and acknowledged alerts, raises no duplicate, and keeps escalating', async () => {
    await publish('PUMP-OCC', { pressure_mmHg: 320, alarms: ['occlusion'] });
    await publish('PUMP-AIR', { alarms: ['air_in_line'], state: 'stopped' });
    await publish('PUMP-LATCH', { pressure_mmHg: 330 });
    await waitFor(async () => (await alerts()).length === 3, { what: 'three alerts' }).catch(
      async (error) => {
        throw new Error(
          `${error}\nalerts: ${JSON.stringify(await alerts())}\nserver output: ${server.output}`,
        );
      },
    );
    await publish('PUMP-LATCH', { pressure_mmHg: 40 });
    const air = (await alertOf('PUMP-AIR')) as Alert;
    expect((await postJson(`${server.httpUrl}/api/alerts/${air.id}/ack`, { by: 'Nurse Ida' })).status).toBe(
      200,
    );
    await waitFor(async () => (await alertOf('PUMP-LATCH'))?.latched === true, { what: 'the latched alert' });
    const before = await alerts();

    await server.kill('SIGKILL');
    await server.start();

    const after = await alerts();
    const strip = (list: Alert[]) =>
      list
        .map(({ id, status, latched, acknowledgedBy, nextEscalationAt }) => ({
          id,
          status,
          latched,
          acknowledgedBy,
          nextEscalationAt,
        }))
        .sort((a, b) => a.id.localeCompare(b.id));
    expect(strip(after)).toEqual(strip(before));
    expect(after.find((alert) => alert.pumpId === 'PUMP-AIR')?.status).toBe('acknowledged');
    expect(after.find((alert) => alert.pumpId === 'PUMP-LATCH')).toMatchObject({
      status: 'active',
      latched: true,
    });

    // The occlusion is still there after the restart: same alert, no second one.
    await waitFor(() => client.connected, { what: 'MQTT reconnect' });
    await publish('PUMP-OCC', { pressure_mmHg: 325, alarms: ['occlusion'] });
    await publish('PUMP-OCC', { pressure_mmHg: 326, alarms: ['occlusion'] });
    const occlusion = before.find((alert) => alert.pumpId === 'PUMP-OCC') as Alert;
    const escalated = await waitFor(
      async () => {
        const current = await alertOf('PUMP-OCC');
        return current && current.escalationLevel >= 1 ? current : undefined;
      },
      { timeoutMs: 15_000, what: 'escalation to the second tier after the restart' },
    );
    expect(escalated.id).toBe(occlusion.id);
    expect((await alerts()).filter((alert) => alert.pumpId === 'PUMP-OCC')).toHaveLength(1);
    // Escalation continued from the persisted timer rather than starting over at the restart.
    expect(escalated.escalatedAt as number).toBeGreaterThanOrEqual(occlusion.nextEscalationAt as number);

    const events = (
      await getJson<Array<{ type: string }>>(`${server.httpUrl}/api/alerts/${occlusion.id}/events`)
    ).body;
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['raised', 'escalated']));
  });
});
