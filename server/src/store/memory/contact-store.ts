import {
  byCreation,
  type ContactDetails,
  type ContactStore,
  contactDetailsSchema,
  type PushDevice,
  pushDeviceSchema,
} from '../../paging/contacts/ports.js';
import type { BadRowHandler } from '../quarantine.js';
import type { MemoryLifecycle } from './lifecycle.js';

/** JSON text by key, as the embedded store keeps it, so every read is a copy and is schema-checked. */
export interface MemoryContactData {
  devices: Map<string, string>;
  contacts: Map<string, string>;
  secrets: Map<string, string>;
}

export function newContactData(): MemoryContactData {
  return { devices: new Map(), contacts: new Map(), secrets: new Map() };
}

/** The ContactStore port in memory, answering as the DuckDB adapter (duckdb/contact-store.ts). */
export class MemoryContactStore implements ContactStore {
  constructor(
    private readonly data: MemoryContactData,
    private readonly lifecycle: MemoryLifecycle,
  ) {}

  async putDevice(device: PushDevice): Promise<void> {
    this.lifecycle.assertOpen('writes');
    this.data.devices.set(device.id, JSON.stringify(device));
  }

  async deleteDevice(id: string): Promise<boolean> {
    this.lifecycle.assertOpen('writes');
    return this.data.devices.delete(id);
  }

  async device(id: string): Promise<PushDevice | null> {
    this.lifecycle.assertOpen('queries');
    const json = this.data.devices.get(id);
    return json === undefined ? null : pushDeviceSchema.parse(JSON.parse(json));
  }

  async devicesOf(username: string, onBadRow?: BadRowHandler): Promise<PushDevice[]> {
    return (await this.allDevices(onBadRow)).filter((device) => device.username === username);
  }

  async allDevices(onBadRow?: BadRowHandler): Promise<PushDevice[]> {
    this.lifecycle.assertOpen('queries');
    const out: PushDevice[] = [];
    for (const [id, json] of this.data.devices) {
      try {
        out.push(pushDeviceSchema.parse(JSON.parse(json)));
      } catch (error) {
        if (!onBadRow) throw error;
        onBadRow(id, error);
      }
    }
    return out.sort(byCreation);
  }

  async putContact(contact: ContactDetails): Promise<void> {
    this.lifecycle.assertOpen('writes');
    this.data.contacts.set(contact.username, JSON.stringify(contact));
  }

  async contactOf(username: string): Promise<ContactDetails | null> {
    this.lifecycle.assertOpen('queries');
    const json = this.data.contacts.get(username);
    return json === undefined ? null : contactDetailsSchema.parse(JSON.parse(json));
  }

  async secret(name: string): Promise<string | null> {
    this.lifecycle.assertOpen('queries');
    return this.data.secrets.get(name) ?? null;
  }

  async putSecret(name: string, value: string): Promise<void> {
    this.lifecycle.assertOpen('writes');
    this.data.secrets.set(name, value);
  }
}
