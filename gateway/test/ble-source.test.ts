import {
  AnnunciationStatus,
  AnnunciationType,
  encodeIddAnnunciationStatus,
  encodeIddStatusChanged,
  IDD_ANNUNCIATION_STATUS,
  IDD_STATUS,
  IDD_STATUS_CHANGED,
  IDS_SERVICE,
  StatusChangedFlag,
  TherapyControlState,
} from '@pumpwatch/simulators/ble';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BlePumpSource } from '../src/sources/ble/ble-source.js';
import type { PumpReading, PumpSourceListener } from '../src/sources/pump-source.js';
import { SimulatedPeripheral } from './support/simulated-peripheral.js';

function recorder() {
  const readings: PumpReading[] = [];
  const links: Array<{ state: string; reason?: string }> = [];
  const listener: PumpSourceListener = {
    reading: (reading) => readings.push(reading),
    link: (_pumpId, state, reason) => links.push({ state, ...(reason !== undefined && { reason }) }),
    error: () => {},
  };
  return { readings, links, listener };
}

const options = {
  pumpId: 'PUMP-BLE',
  address: 'aa:bb:cc:dd:ee:ff',
  e2e: false,
  intervalMs: 50,
  maxIntervalMs: 800,
  connectTimeoutMs: 100,
  readTimeoutMs: 200,
  reconnectMinMs: 20,
  reconnectMaxMs: 100,
};

const sources: BlePumpSource[] = [];
afterEach(async () => {
  for (const source of sources.splice(0)) await source.stop();
});

describe('BLE driver against a simulated IDS peripheral', () => {
  it('connects, reads a full sample, and raises an alarm as soon as the annunciation is indicated', async () => {
    const pump = new SimulatedPeripheral();
    const source = new BlePumpSource({ ...options, transport: async () => pump });
    sources.push(source);
    const { readings, links, listener } = recorder();
    await source.start(listener);
    await vi.waitFor(() => expect(readings.length).toBeGreaterThan(2));
    expect(links).toEqual([{ state: 'up' }]);
    expect(readings[0]?.sample).toMatchObject({
      state: 'infusing',
      rate_mL_h: 10,
      battery_pct: 76,
      alarms: [],
    });

    const before = readings.length;
    pump.indicate(
      IDD_ANNUNCIATION_STATUS,
      encodeIddAnnunciationStatus({
        instanceId: 1,
        type: AnnunciationType.OCCLUSION_DETECTED,
        status: AnnunciationStatus.pending,
      }),
    );
    // Emitted on the indication itself, not at the next poll.
    expect(readings.length).toBe(before + 1);
    expect(readings.at(-1)?.sample.alarms).toEqual(['occlusion']);

    pump.set(IDS_SERVICE, IDD_STATUS, pump.status(TherapyControlState.stop));
    pump.indicate(IDD_STATUS_CHANGED, encodeIddStatusChanged(StatusChangedFlag.therapyControlState));
    await vi.waitFor(() => expect(readings.at(-1)?.sample.state).toBe('stopped'));
    expect(readings.at(-1)?.sample.alarms).toEqual(['occlusion']);
  });

  it('reports the link down when the pump goes away and reconnects by itself with backoff', async () => {
    const pump = new SimulatedPeripheral();
    const source = new BlePumpSource({ ...options, transport: async () => pump });
    sources.push(source);
    const { readings, links, listener } = recorder();
    await source.start(listener);
    await vi.waitFor(() => expect(links).toEqual([{ state: 'up' }]));

    pump.inRange = false;
    pump.cutLink();
    expect(links.at(-1)).toEqual({ state: 'down', reason: 'BLE link lost: connection timeout (0x08)' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const afterOutage = readings.length;
    expect(links.filter((l) => l.state === 'up')).toHaveLength(1);

    pump.inRange = true;
    await vi.waitFor(() => expect(links.at(-1)?.state).toBe('up'), { timeout: 2000 });
    await vi.waitFor(() => expect(readings.length).toBeGreaterThan(afterOutage));
    expect(source.stats()['PUMP-BLE']?.reconnects).toBe(1);
    expect(pump.connects).toBe(2);
  });

  it('treats three failed reads in a row as a lost link', async () => {
    const pump = new SimulatedPeripheral();
    const source = new BlePumpSource({ ...options, readTimeoutMs: 30, transport: async () => pump });
    sources.push(source);
    const { links, listener } = recorder();
    await source.start(listener);
    await vi.waitFor(() => expect(links.at(-1)?.state).toBe('up'));
    pump.readDelayMs = 100;
    await vi.waitFor(() => expect(links.at(-1)?.state).toBe('down'), { timeout: 3000 });
    expect(links.at(-1)?.reason).toMatch(/^3 reads failed: read .* timed out/);
    expect(source.stats()['PUMP-BLE']?.rejected.read_failed).toBeGreaterThanOrEqual(3);
    pump.readDelayMs = 0;
    await vi.waitFor(() => expect(links.at(-1)?.state).toBe('up'), { timeout: 3000 });
  });

  it('polls gently: a slow pump doubles the interval, a quick one brings it back', async () => {
    const pump = new SimulatedPeripheral();
    const source = new BlePumpSource({ ...options, readTimeoutMs: 1000, transport: async () => pump });
    sources.push(source);
    const { listener, links } = recorder();
    await source.start(listener);
    await vi.waitFor(() => expect(links.at(-1)?.state).toBe('up'));
    pump.readDelayMs = 100;
    await vi.waitFor(() => expect(source.intervalMs).toBeGreaterThanOrEqual(400), { timeout: 3000 });
    pump.readDelayMs = 0;
    await vi.waitFor(() => expect(source.intervalMs).toBe(options.intervalMs), { timeout: 5000 });
  });

  it('keeps the hub running when the radio library cannot load, and retries', async () => {
    let attempts = 0;
    const pump = new SimulatedPeripheral();
    const source = new BlePumpSource({
      ...options,
      transport: async () => {
        attempts++;
        if (attempts < 3) throw new Error('EAFNOSUPPORT, Address family not supported by protocol');
        return pump;
      },
    });
    sources.push(source);
    const { links, listener } = recorder();
    await source.start(listener);
    await vi.waitFor(() => expect(links.at(-1)?.state).toBe('up'), { timeout: 2000 });
    expect(links[0]).toEqual({
      state: 'down',
      reason: 'BLE: EAFNOSUPPORT, Address family not supported by protocol',
    });
    expect(attempts).toBe(3);
  });
});
