import type { PumpwatchServer } from '@pumpwatch/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMosquitto, startMosquitto } from './support/mosquitto.js';
import { runOcclusionAckFlow } from './support/occlusion-flow.js';
import { getJson, startTestServer } from './support/server-harness.js';

describe('end to end with a real Mosquitto (server in external-broker mode)', () => {
  let mosquitto: RunningMosquitto;
  let server: PumpwatchServer;
  beforeAll(async () => {
    mosquitto = await startMosquitto();
    server = await startTestServer({ mqttUrl: mosquitto.url });
  });
  afterAll(async () => {
    await server?.stop();
    await mosquitto?.stop();
  });

  it('uses the external broker and embeds none', async () => {
    const health = await getJson<{ components: { mqtt: { url: string; embedded: boolean } } }>(
      `${server.httpUrl}/api/health`,
    );
    expect(health.body.components.mqtt).toMatchObject({ url: mosquitto.url, embedded: false });
  });

  it('delivers the occlusion alert to a WebSocket client and its acknowledgement back', async () => {
    await runOcclusionAckFlow(server, mosquitto.url);
  });
});
