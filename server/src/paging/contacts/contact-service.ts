import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../auth/audit-log.js';
import type { ContactDetails, ContactStore, PushDevice } from './ports.js';

export interface NewDevice {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  label: string;
}

/** A device as its owner sees it: no keys (they are the browser's), the push service by origin only. */
export interface DeviceView {
  id: string;
  label: string;
  pushService: string;
  createdAt: number;
  lastSuccessAt: number | null;
}

export function deviceView(device: PushDevice): DeviceView {
  return {
    id: device.id,
    label: device.label,
    pushService: new URL(device.endpoint).origin,
    createdAt: device.createdAt,
    lastSuccessAt: device.lastSuccessAt,
  };
}

/**
 * Each person's push devices and contact details: every change stored (durable before it is answered)
 * and audited with who, before and after. An endpoint belongs to one browser, so subscribing it again
 * (a re-install, or the phone handed to the next nurse) replaces the earlier device rather than paging
 * two people on one phone.
 */
export class ContactService {
  constructor(
    private readonly deps: {
      store: ContactStore;
      audit: AuditLog;
      now: () => number;
      newId?: () => string;
    },
  ) {}

  async addDevice(username: string, input: NewDevice): Promise<PushDevice> {
    const { store, audit, now } = this.deps;
    const previous = (await store.allDevices()).find((device) => device.endpoint === input.endpoint);
    const device: PushDevice = {
      id: previous?.id ?? this.deps.newId?.() ?? `dev_${randomUUID().replaceAll('-', '')}`,
      username,
      endpoint: input.endpoint,
      keys: input.keys,
      label: input.label,
      createdAt: previous && previous.username === username ? previous.createdAt : now(),
      lastSuccessAt: previous && previous.username === username ? previous.lastSuccessAt : null,
    };
    await store.putDevice(device);
    await audit.record(
      username,
      'device_subscribed',
      device.id,
      previous ? { username: previous.username, label: previous.label } : null,
      { username, label: device.label, pushService: new URL(device.endpoint).origin },
    );
    return device;
  }

  devices(username: string): Promise<PushDevice[]> {
    return this.deps.store.devicesOf(username);
  }

  /** False when the user has no such device (another user's counts as none). */
  async removeDevice(username: string, id: string): Promise<boolean> {
    const device = await this.deps.store.device(id);
    if (!device || device.username !== username) return false;
    await this.deps.store.deleteDevice(id);
    await this.deps.audit.record(username, 'device_removed', id, { label: device.label }, null);
    return true;
  }

  async contact(username: string): Promise<ContactDetails | null> {
    return this.deps.store.contactOf(username);
  }

  async setContact(
    username: string,
    input: { email: string | null; smsNumber: string | null },
  ): Promise<ContactDetails> {
    const before = await this.deps.store.contactOf(username);
    const contact: ContactDetails = {
      username,
      email: input.email,
      smsNumber: input.smsNumber,
      updatedAt: this.deps.now(),
      updatedBy: username,
    };
    await this.deps.store.putContact(contact);
    await this.deps.audit.record(
      username,
      'contact_updated',
      username,
      before ? { email: before.email, smsNumber: before.smsNumber } : null,
      { email: contact.email, smsNumber: contact.smsNumber },
    );
    return contact;
  }
}
