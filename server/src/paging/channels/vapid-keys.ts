import webpush from 'web-push';
import { z } from 'zod';
import type { ContactStore } from '../contacts/ports.js';

const vapidKeysSchema = z.object({ publicKey: z.string().min(1), privateKey: z.string().min(1) });
export type VapidKeys = z.infer<typeof vapidKeysSchema>;

const SECRET_NAME = 'vapid-keys';

/**
 * The server's VAPID key pair (RFC 8292), generated at first start and kept in the store: every
 * browser subscribed with the public key, and a new pair would silently orphan every phone.
 */
export async function openVapidKeys(store: Pick<ContactStore, 'secret' | 'putSecret'>): Promise<VapidKeys> {
  const stored = await store.secret(SECRET_NAME);
  if (stored) return vapidKeysSchema.parse(JSON.parse(stored));
  const keys = webpush.generateVAPIDKeys();
  await store.putSecret(SECRET_NAME, JSON.stringify(keys));
  return keys;
}
