import { contactInputSchema } from '@pumpwatch/protocol';
import { z } from 'zod';
import type { BadRowHandler } from '../../store/quarantine.js';

/**
 * A browser's push subscription as the Push API hands it over (`PushSubscription.toJSON()`), plus the
 * label its owner gave the device ("Ana's phone"). The keys are the browser's: the server encrypts each
 * payload to them (RFC 8291), so only that browser can read it.
 */
export const pushDeviceSchema = z.object({
  id: z.string().min(1).max(64),
  username: z.string().min(1).max(64),
  endpoint: z.string().url().max(2048),
  keys: z.object({ p256dh: z.string().min(1).max(256), auth: z.string().min(1).max(64) }),
  label: z.string().min(1).max(80),
  createdAt: z.number().int().nonnegative(),
  /** When the push service last accepted a page for it (201); null until then. */
  lastSuccessAt: z.number().int().nonnegative().nullable(),
});
export type PushDevice = z.infer<typeof pushDeviceSchema>;

/** Where else a person can be reached: her email (email channel) and SMS/voice number (SMS gateway). */
export const contactDetailsSchema = contactInputSchema.extend({
  username: z.string().min(1).max(64),
  updatedAt: z.number().int().nonnegative(),
  updatedBy: z.string().min(1).max(64),
});
export type ContactDetails = z.infer<typeof contactDetailsSchema>;

/**
 * Each user's push devices and contact details, and the paging secrets (VAPID key pair, ack-token key)
 * that must survive a restart: a new VAPID key would orphan every phone's subscription. Writes resolve
 * once durable, as care records' do.
 */
export interface ContactStore {
  putDevice(device: PushDevice): Promise<void>;
  /** Whether there was one. */
  deleteDevice(id: string): Promise<boolean>;
  device(id: string): Promise<PushDevice | null>;
  /** Oldest first; a stored row that fails its schema goes to `onBadRow` (without one, it throws). */
  devicesOf(username: string, onBadRow?: BadRowHandler): Promise<PushDevice[]>;
  /** Every device, oldest first (an endpoint is unique across users). */
  allDevices(onBadRow?: BadRowHandler): Promise<PushDevice[]>;
  putContact(contact: ContactDetails): Promise<void>;
  contactOf(username: string): Promise<ContactDetails | null>;
  /** A named secret (text), or null when never set. */
  secret(name: string): Promise<string | null>;
  putSecret(name: string, value: string): Promise<void>;
}

/** Devices oldest first, then by id: the order both adapters answer in. */
export function byCreation(a: PushDevice, b: PushDevice): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
