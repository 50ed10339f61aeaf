import { roleSchema } from '@pumpwatch/protocol';
import type { z } from 'zod';

export { roleSchema };

/**
 * viewer reads (patients by initials, no contact details); nurse also acknowledges and snoozes and reads
 * patients' contact details; coordinator (intake) also manages patients, therapies, assignments and
 * care teams; admin also manages orders, rule settings, users, hubs and the audit log.
 */
export type Role = z.infer<typeof roleSchema>;

const RANK: Record<Role, number> = { viewer: 1, nurse: 2, coordinator: 3, admin: 4 };

export function hasRole(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}

export interface Identity {
  username: string;
  role: Role;
}
