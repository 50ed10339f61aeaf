import type { PumpwatchServer } from '@pumpwatch/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { getJson, startTestServer } from './support/server-harness.js';
import { FrameRecorder } from './support/ws-client.js';

const FLOOD_MESSAGES = 10_000;

async function healthLatencyMs(httpUrl: string): Promise<number> {
  const started = performance.now();
  const { status } = await getJson(`${httpUrl}/api/health`);
  expect(status).toBe(200);
  return performance.now() - started;
}

const max = (values: number[]) => values.reduce((a, b) => Math.max(a, b), 0);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * Issue #11: a WebSocket client flooding the server with frames was never disconnected and slowed the
 * API. Clients only listen (the dashboard sends nothing), so a client past the per-client rate is closed
 * with 1008, counted, and the API answers as before.
 */
describe('a flooding WebSocket client', () => {
  let server: PumpwatchServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is closed with 1008 within two seconds while /api/health keeps answering near its baseline', async () => {
    const listener = await FrameRecorder.connect(server.httpUrl);
    const baseline: number[] = [];
    for (let i = 0; i < 30; i++) baseline.push(await healthLatencyMs(server.httpUrl));

    const flooder = new WebSocket(`${server.httpUrl.replace(/^http/, 'ws')}/ws`);
    await new Promise<void>((resolve, reject) => {
      flooder.once('open', () => resolve());
      flooder.once('error', reject);
    });
    flooder.on('error', () => undefined);
    const closed = new Promise<{ code: number; afterMs: number }>((resolve) => {
      flooder.once('close', (code) => resolve({ code, afterMs: performance.now() - floodStarted }));
    });
    const floodStarted = performance.now();
    for (let i = 0; i < FLOOD_MESSAGES; i++) flooder.send(`{"type":"flood","n":${i}}`);

    // The API, measured while the flood is being read and after.
    const during: number[] = [];
    let result: { code: number; afterMs: number } | undefined;
    void closed.then((value) => {
      result = value;
    });
    for (let i = 0; i < 30 || (result === undefined && i < 200); i++)
      during.push(await healthLatencyMs(server.httpUrl));
    const { code, afterMs } = await closed;

    const figures = {
      baselineMedianMs: median(baseline).toFixed(1),
      baselineMaxMs: max(baseline).toFixed(1),
      duringMedianMs: median(during).toFixed(1),
      duringMaxMs: max(during).toFixed(1),
      closedAfterMs: afterMs.toFixed(0),
    };
    console.log(`WebSocket flood of ${FLOOD_MESSAGES} messages: ${JSON.stringify(figures)}`);
    expect(code).toBe(1008);
    expect(afterMs).toBeLessThan(2000);
    // Relative to the same run's baseline, with room for a 2-core machine's scheduling noise.
    expect(median(during)).toBeLessThan(median(baseline) * 3 + 20);
    expect(max(during)).toBeLessThan(max(baseline) * 5 + 200);

    const health = (
      await getJson<{
        websocketDropped: { flooding: number; slow: number };
        internalErrors: { total: number };
      }>(`${server.httpUrl}/api/health`)
    ).body;
    expect(health.websocketDropped.flooding).toBe(1);
    expect(health.internalErrors.total).toBe(0);
    // A client that only listens is left alone.
    const framesBefore = listener.frames.length;
    await new Promise((resolve) => setTimeout(resolve, 5500));
    expect(listener.frames.length).toBeGreaterThan(framesBefore);
    listener.close();
  });
});
