import { z } from 'zod';

/** Hub and pump ids: safe in MQTT topics, URLs and file names alike. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const idSchema = z.string().regex(ID_PATTERN, 'id must match ^[A-Za-z0-9_-]{1,64}$');
export type Id = z.infer<typeof idSchema>;

export function isValidId(value: string): boolean {
  return ID_PATTERN.test(value);
}
