import { z } from 'zod';
import { idSchema } from './ids.js';

/**
 * Replies of the session and admin routes (docs/api.md#authentication, #users-and-hubs). The server
 * builds them; the dashboard and the OpenAPI document (`GET /api/openapi.json`) read these schemas.
 */

const epochMs = z.number().int().nonnegative();

/** viewer < nurse < coordinator < admin (docs/security.md); the server's `auth/roles.ts` ranks them. */
export const roleSchema = z.enum(['viewer', 'nurse', 'coordinator', 'admin']);

/** `POST /api/login` → 200: a signed bearer token and who it is for. */
export const loginResponseSchema = z.object({
  token: z.string().min(1),
  /** Server clock, epoch ms. */
  expiresAt: epochMs,
  username: z.string().min(1),
  role: roleSchema,
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

/** `GET /api/me`, and `POST /api/users` → 201: a user as the API shows it. */
export const identitySchema = z.object({ username: z.string().min(1), role: roleSchema });

/** `POST /api/logout`. */
export const okResponseSchema = z.object({ ok: z.literal(true) });

/** `GET /api/users`: never a password hash. */
export const userSchema = identitySchema.extend({
  createdAt: epochMs,
  /** When the password was last set; tokens issued before it are refused. */
  passwordChangedAt: epochMs,
});

/** `POST /api/hubs` → 201: the hub's MQTT credentials, the password shown this once. */
export const hubCredentialsSchema = z.object({ hubId: idSchema, username: z.string(), password: z.string() });

/** `GET /api/hubs`. */
export const hubSchema = z.object({ hubId: idSchema, username: z.string(), createdAt: epochMs });

/** `GET /api/hubs/mosquitto-config`: files for an external Mosquitto. */
export const mosquittoConfigSchema = z.object({ passwordFile: z.string(), aclFile: z.string() });

/** `GET /api/audit`: one change, with who made it and the state before and after. */
export const auditEntrySchema = z.object({
  /** The entry's number in the log. */
  id: z.number().int().nonnegative(),
  at: epochMs,
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
});
export type AuditEntryView = z.infer<typeof auditEntrySchema>;
