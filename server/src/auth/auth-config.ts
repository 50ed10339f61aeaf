import { z } from 'zod';
import { MAX_PASSWORD_LENGTH, passwordProblem } from './password-policy.js';

/**
 * Security settings (docs/security.md). `mode: required` is the default and the only production
 * setting; `disabled` exists for development and functional tests that are not about security, and the
 * server says so loudly at start and in `/api/health`.
 */
export const authConfigSchema = z
  .object({
    mode: z.enum(['required', 'disabled']).default('required'),
    /** Ensured at start (`PUMPWATCH_ADMIN_USER` / `PUMPWATCH_ADMIN_PASSWORD`); the password policy applies. */
    adminUser: z.string().min(1).max(64).optional(),
    adminPassword: z.string().max(MAX_PASSWORD_LENGTH).optional(),
    /** HMAC key for session tokens; by default a random key kept in the data directory. */
    tokenSecret: z.string().min(32).optional(),
    tokenTtlMs: z
      .number()
      .int()
      .positive()
      .default(12 * 3_600_000),
    loginRateLimit: z
      .object({
        max: z.number().int().positive().default(10),
        windowMs: z.number().int().positive().default(60_000),
      })
      .prefault({}),
    /** Origins allowed to call the API from a browser; empty = CORS closed (same origin only). */
    corsOrigins: z.array(z.string().url()).default([]),
  })
  .refine((auth) => (auth.adminUser === undefined) === (auth.adminPassword === undefined), {
    message: 'adminUser and adminPassword go together',
    path: ['adminPassword'],
  })
  .superRefine((auth, context) => {
    if (auth.adminUser === undefined || auth.adminPassword === undefined) return;
    const problem = passwordProblem(auth.adminPassword, auth.adminUser);
    if (problem) context.addIssue({ code: 'custom', path: ['adminPassword'], message: problem });
  });
export type AuthConfig = z.infer<typeof authConfigSchema>;

/** HTTPS and MQTTS when certificates are configured (`PUMPWATCH_TLS_CERT`, `PUMPWATCH_TLS_KEY`). */
export const tlsConfigSchema = z
  .object({
    certFile: z.string().min(1),
    keyFile: z.string().min(1),
    mqttsPort: z.coerce.number().int().min(0).max(65535).default(8883),
    /**
     * Keep the embedded broker's plain MQTT listener beside MQTT over TLS. Off by default: with it on,
     * hub passwords still cross the network in clear (issue #11).
     */
    keepPlainMqtt: z
      .preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean())
      .default(false),
  })
  .optional();

export function authConfigFromEnv(base: unknown, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const auth: Record<string, unknown> = { ...(base as object | undefined) };
  if (env.PUMPWATCH_ADMIN_USER) auth.adminUser = env.PUMPWATCH_ADMIN_USER;
  if (env.PUMPWATCH_ADMIN_PASSWORD) auth.adminPassword = env.PUMPWATCH_ADMIN_PASSWORD;
  if (env.PUMPWATCH_TOKEN_SECRET) auth.tokenSecret = env.PUMPWATCH_TOKEN_SECRET;
  if (env.PUMPWATCH_AUTH_MODE) auth.mode = env.PUMPWATCH_AUTH_MODE;
  return auth;
}

export function tlsConfigFromEnv(base: unknown, env: NodeJS.ProcessEnv): Record<string, unknown> | undefined {
  const tls: Record<string, unknown> = { ...(base as object | undefined) };
  if (env.PUMPWATCH_TLS_CERT) tls.certFile = env.PUMPWATCH_TLS_CERT;
  if (env.PUMPWATCH_TLS_KEY) tls.keyFile = env.PUMPWATCH_TLS_KEY;
  // Alone it configures no TLS: it only qualifies certificates set elsewhere.
  if (env.PUMPWATCH_TLS_KEEP_PLAIN_MQTT && Object.keys(tls).length > 0)
    tls.keepPlainMqtt = env.PUMPWATCH_TLS_KEEP_PLAIN_MQTT;
  return Object.keys(tls).length ? tls : undefined;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * With authentication disabled every caller is an admin, so the server may listen only where nobody
 * else can reach it. The config paths that would expose it; empty when it is safe (or auth is on).
 */
export function developmentModeExposure(config: {
  auth: { mode: string };
  http: { host: string };
  mqtt: { url?: string | undefined; embeddedHost: string };
}): string[] {
  if (config.auth.mode !== 'disabled') return [];
  const paths: string[] = [];
  if (!isLoopback(config.http.host)) paths.push('http.host');
  if (config.mqtt.url === undefined && !isLoopback(config.mqtt.embeddedHost)) paths.push('mqtt.embeddedHost');
  return paths;
}
