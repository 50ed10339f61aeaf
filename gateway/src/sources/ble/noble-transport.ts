import { createRequire } from 'node:module';
import type { BleConnection, BleTransport } from './ble-transport.js';

/**
 * The radio: @abandonware/noble (an optional dependency), loaded only when a BLE pump is configured,
 * so a hub without Bluetooth never loads it. Loading noble opens the HCI socket at once; on a machine
 * without a Bluetooth adapter (or kernel support: EAFNOSUPPORT) the import itself fails, the driver
 * reports the link down with that reason and retries with backoff.
 *
 * Not tested here: no machine of this project has a radio (docs/gateway.md, "What needs hardware").
 */

/** The part of noble's API this adapter uses (typed here so the build does not need the package). */
interface NobleCharacteristic {
  uuid: string;
  readAsync(): Promise<Buffer>;
  subscribeAsync(): Promise<void>;
  on(event: 'data', listener: (data: Buffer, isNotification: boolean) => void): void;
}
interface NobleService {
  uuid: string;
  characteristics: NobleCharacteristic[];
}
interface NoblePeripheral {
  address: string;
  advertisement?: { localName?: string };
  connectAsync(): Promise<void>;
  disconnectAsync(): Promise<void>;
  discoverSomeServicesAndCharacteristicsAsync(
    serviceUuids: string[],
    characteristicUuids: string[],
  ): Promise<{ services: NobleService[]; characteristics: NobleCharacteristic[] }>;
  once(event: 'disconnect', listener: (reason?: unknown) => void): void;
}
interface Noble {
  state?: string;
  _state?: string;
  on(event: 'discover', listener: (peripheral: NoblePeripheral) => void): void;
  removeListener(event: 'discover', listener: (peripheral: NoblePeripheral) => void): void;
  once(event: 'stateChange', listener: (state: string) => void): void;
  startScanningAsync(serviceUuids?: string[], allowDuplicates?: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
  stop?(): void;
}

const NOBLE_MODULE = '@abandonware/noble';
const IDS_SERVICE = '183a';
const BATTERY_SERVICE = '180f';

export async function loadNobleTransport(): Promise<BleTransport> {
  // noble is CommonJS. require() rather than import(): a CommonJS module that throws while loading (no
  // adapter yet) is dropped from require's cache, so a later attempt really tries the radio again,
  // where a failed import() would replay the first error forever. This file itself is only imported
  // when a BLE pump is configured.
  const noble = createRequire(import.meta.url)(NOBLE_MODULE) as Noble;
  await poweredOn(noble);
  return new NobleTransport(noble);
}

function poweredOn(noble: Noble, timeoutMs = 10_000): Promise<void> {
  if ((noble.state ?? noble._state) === 'poweredOn') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Bluetooth adapter not powered on')), timeoutMs);
    noble.once('stateChange', (state) => {
      clearTimeout(timer);
      if (state === 'poweredOn') resolve();
      else reject(new Error(`Bluetooth adapter ${state}`));
    });
  });
}

class NobleTransport implements BleTransport {
  constructor(private readonly noble: Noble) {}

  async connect(address: string, { timeoutMs }: { timeoutMs: number }): Promise<BleConnection> {
    const wanted = address.toLowerCase();
    const peripheral = await new Promise<NoblePeripheral>((resolve, reject) => {
      const onDiscover = (candidate: NoblePeripheral): void => {
        const name = candidate.advertisement?.localName?.toLowerCase();
        if (candidate.address.toLowerCase() !== wanted && name !== wanted) return;
        clearTimeout(timer);
        this.noble.removeListener('discover', onDiscover);
        resolve(candidate);
      };
      const timer = setTimeout(() => {
        this.noble.removeListener('discover', onDiscover);
        reject(new Error(`peripheral ${address} not found within ${timeoutMs} ms`));
      }, timeoutMs);
      this.noble.on('discover', onDiscover);
      this.noble.startScanningAsync([IDS_SERVICE], false).catch((error: unknown) => {
        clearTimeout(timer);
        this.noble.removeListener('discover', onDiscover);
        reject(error);
      });
    }).finally(() => this.noble.stopScanningAsync().catch(() => {}));

    await peripheral.connectAsync();
    const { services } = await peripheral.discoverSomeServicesAndCharacteristicsAsync(
      [IDS_SERVICE, BATTERY_SERVICE],
      [],
    );
    const characteristics = new Map<string, NobleCharacteristic>();
    for (const service of services) {
      for (const characteristic of service.characteristics)
        characteristics.set(`${service.uuid}/${characteristic.uuid}`, characteristic);
    }
    const find = (service: string, characteristic: string): NobleCharacteristic => {
      const found = characteristics.get(`${service}/${characteristic}`);
      if (!found) throw new Error(`characteristic ${characteristic} not found in service ${service}`);
      return found;
    };
    let disconnectListener: ((reason: string) => void) | null = null;
    let closing = false;
    peripheral.once('disconnect', (reason) => {
      if (!closing) disconnectListener?.(reason === undefined ? 'disconnected' : String(reason));
    });
    return {
      has: (service, characteristic) => characteristics.has(`${service}/${characteristic}`),
      read: async (service, characteristic) =>
        Uint8Array.from(await find(service, characteristic).readAsync()),
      subscribe: async (service, characteristic, onValue) => {
        const target = find(service, characteristic);
        target.on('data', (data) => onValue(Uint8Array.from(data)));
        await target.subscribeAsync();
      },
      onDisconnect: (listener) => {
        disconnectListener = listener;
      },
      disconnect: async () => {
        closing = true;
        await peripheral.disconnectAsync();
      },
    };
  }

  async close(): Promise<void> {
    await this.noble.stopScanningAsync().catch(() => {});
    this.noble.stop?.();
  }
}
