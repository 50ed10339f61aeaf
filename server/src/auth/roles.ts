import { z } from 'zod';

/** viewer reads; nurse also acknowledges and snoozes; admin also manages orders, users, hubs and audit. */
export const roles = ['viewer', 'nurse', 'admin'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

const RANK: Record<Role, number> = { viewer: 1, nurse: 2, admin: 3 };

export function hasRole(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}

export interface Identity {
  username: string;
  role: Role;
}
