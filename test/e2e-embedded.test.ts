import type { PumpwatchServer } from '@pumpwatch/server';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runOcclusionAckFlow } from './support/occlusion-flow.js';
import { startTestServer } from './support/server-harness.js';

describe('end to end with the embedded aedes broker', () => {
  let server: PumpwatchServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('delivers the occlusion alert to a WebSocket client and its acknowledgement back', async () => {
    await runOcclusionAckFlow(server, server.mqttUrl);
  });
});
