import { buildScenario } from '@pumpwatch/simulators';
import { IDD_ANNUNCIATION_STATUS, IDD_STATUS_CHANGED } from '@pumpwatch/simulators/ble';
import { BlePumpSource } from '../src/sources/ble/ble-source.js';
import { SimulatedPumpSource } from '../src/sources/simulated.js';
import { describePumpSourceContract } from './support/pump-source-contract.js';
import { SimulatedPeripheral } from './support/simulated-peripheral.js';

// The serial driver runs the same contract over socat PTYs: test/gateway-source-contract.test.ts.

describePumpSourceContract({
  name: 'simulated',
  hasPumpLink: false,
  async create() {
    const pumpId = 'PUMP-SIM';
    return {
      source: new SimulatedPumpSource({
        pumpId,
        scenario: buildScenario('normal', { rate_mL_h: 100 }),
        seed: 7,
        intervalMs: 50,
        speed: 60,
      }),
      pumpId,
      noticeMs: 500,
      quietMs: 200,
      pump: null,
      heldBySource: async () => [],
      dispose: async () => {},
    };
  },
});

describePumpSourceContract({
  name: 'BLE against a simulated IDS peripheral',
  hasPumpLink: true,
  async create() {
    const pumpId = 'PUMP-BLE';
    const peripheral = new SimulatedPeripheral({ live: { rate_mL_h: 100, vi_mL: 12.5 } });
    // A radio answers in milliseconds, not at once: stop() can land in the middle of a connect.
    peripheral.readDelayMs = 2;
    const source = new BlePumpSource({
      pumpId,
      address: 'aa:bb:cc:dd:ee:ff',
      e2e: false,
      intervalMs: 50,
      maxIntervalMs: 200,
      connectTimeoutMs: 100,
      readTimeoutMs: 200,
      reconnectMinMs: 20,
      reconnectMaxMs: 100,
      transport: peripheral.factory,
    });
    return {
      source,
      pumpId,
      noticeMs: 1000,
      quietMs: 400,
      pump: {
        goAway: async () => {
          peripheral.inRange = false;
          peripheral.cutLink();
        },
        comeBack: async () => {
          peripheral.inRange = true;
        },
        sendBadFrames: async () => {
          peripheral.badTelemetryReads = 3;
          peripheral.indicateOnce(IDD_ANNUNCIATION_STATUS, Uint8Array.of(0x01));
          peripheral.indicateOnce(IDD_STATUS_CHANGED, new Uint8Array(0));
          return 5;
        },
        sendOnlyBadFrames: async (on) => {
          peripheral.badTelemetryReads = on ? Number.POSITIVE_INFINITY : 0;
        },
        goodSent: () => peripheral.goodTelemetryTs,
      },
      heldBySource: async () => [
        ...(peripheral.openConnections > 0 ? [`${peripheral.openConnections} BLE connection(s) open`] : []),
        ...(peripheral.openTransports > 0 ? ['the radio transport is not closed'] : []),
      ],
      dispose: async () => {},
    };
  },
});
