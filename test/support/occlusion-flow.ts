import type { Alert, AlertFrame, ServerFrame } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import { expect } from 'vitest';
import { startTestGateway } from './gateway-harness.js';
import { getJson, postJson } from './server-harness.js';
import { FrameRecorder } from './ws-client.js';

const isAlertFrame =
  (predicate: (alert: Alert) => boolean) =>
  (frame: ServerFrame): frame is AlertFrame =>
    frame.type === 'alert' && predicate(frame.alert);

/**
 * The walking skeleton end to end: simulated pumps → gateway → broker → server → a WebSocket client sees
 * the occlusion alert; acknowledging over HTTP reaches the client; the alert list agrees.
 */
export async function runOcclusionAckFlow(server: PumpwatchServer, gatewayMqttUrl: string): Promise<void> {
  const recorder = await FrameRecorder.connect(server.httpUrl);
  const gateway = await startTestGateway(gatewayMqttUrl, {
    hubId: 'hub-e2e',
    // 10× time: one simulated second per 100 ms; the occlusion starts 5 simulated seconds in.
    simulation: { speed: 10, intervalMs: 100 },
    pumps: [
      { pumpId: 'PUMP-E2E-OCC', driver: 'simulated', scenario: 'occlusion', rate_mL_h: 100, onsetMs: 5000 },
      { pumpId: 'PUMP-E2E-OK', driver: 'simulated', scenario: 'normal', rate_mL_h: 125 },
    ],
  });
  try {
    const snapshot = recorder.frames[0];
    expect(snapshot?.type).toBe('snapshot');

    const raised = await recorder.waitForFrame(
      isAlertFrame((alert) => alert.pumpId === 'PUMP-E2E-OCC' && alert.rule === 'occlusion_downstream'),
      { what: 'occlusion alert frame' },
    );
    expect(raised.alert).toMatchObject({ hubId: 'hub-e2e', priority: 'high', status: 'active' });

    const ack = await postJson<Alert>(`${server.httpUrl}/api/alerts/${raised.alert.id}/ack`, {
      by: 'Nurse Ada',
    });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({
      id: raised.alert.id,
      status: 'acknowledged',
      acknowledgedBy: 'Nurse Ada',
    });

    const acknowledged = await recorder.waitForFrame(
      isAlertFrame((alert) => alert.id === raised.alert.id && alert.status === 'acknowledged'),
      { what: 'acknowledged alert frame' },
    );
    expect(acknowledged.alert.acknowledgedAt).toBeGreaterThan(0);

    const listed = await getJson<Alert[]>(`${server.httpUrl}/api/alerts?status=acknowledged`);
    expect(listed.body.map((alert) => alert.id)).toContain(raised.alert.id);
    const open = await getJson<Alert[]>(`${server.httpUrl}/api/alerts`);
    expect(open.body.find((alert) => alert.id === raised.alert.id)?.acknowledgedBy).toBe('Nurse Ada');

    // The healthy pump raised nothing, and both pumps are listed as online with live samples.
    expect(open.body.filter((alert) => alert.pumpId === 'PUMP-E2E-OK')).toEqual([]);
    const pumps = await getJson<Array<{ pumpId: string; online: boolean; latest: unknown }>>(
      `${server.httpUrl}/api/pumps`,
    );
    const ok = pumps.body.find((pump) => pump.pumpId === 'PUMP-E2E-OK');
    expect(ok?.online).toBe(true);
    expect(ok?.latest).not.toBeNull();
    expect(recorder.invalidFrames).toBe(0);
  } finally {
    recorder.close();
    await gateway.stop();
  }
}
