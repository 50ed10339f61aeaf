import { z } from 'zod';

const retrySchema = z
  .object({
    attempts: z.number().int().min(1).max(20).default(5),
    minBackoffMs: z.number().int().positive().default(500),
    maxBackoffMs: z.number().int().positive().default(30_000),
    timeoutMs: z.number().int().positive().default(5_000),
  })
  .prefault({});

/**
 * `paging` in the server config (docs/configuration.md#paging). Every channel is off until configured:
 * Web Push needs nothing but a `subject` (it has a default) and is on; email needs an SMTP host; the
 * SMS gateway its URL and secret.
 */
export const pagingConfigSchema = z
  .object({
    /** Base of the links in pages (`https://pumpwatch.example.org`); the server's own URL when unset. */
    publicUrl: z.string().url().optional(),
    push: z
      .object({
        /** RFC 8292 contact for push services: `mailto:` or `https:`. */
        subject: z
          .string()
          .regex(/^(mailto:|https:)/, 'a mailto: or https: URL')
          .default('mailto:pumpwatch@localhost'),
        /** How long a push service keeps an undelivered page (RFC 8030 TTL), per priority. */
        ttlSeconds: z
          .object({
            high: z.number().int().min(0).max(86_400).default(600),
            medium: z.number().int().min(0).max(86_400).default(3_600),
            low: z.number().int().min(0).max(86_400).default(14_400),
          })
          .prefault({}),
        /**
         * Accept `http://` subscription endpoints on loopback (a test's stand-in push service). Real push
         * services are https only; keep false in production.
         */
        allowLoopbackEndpoints: z.boolean().default(false),
      })
      .prefault({}),
    email: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65_535).default(587),
        secure: z.boolean().default(false),
        auth: z.object({ user: z.string().min(1), pass: z.string().min(1) }).optional(),
        from: z.string().min(3),
        timeoutMs: z.number().int().positive().default(15_000),
      })
      .optional(),
    smsWebhook: z
      .object({
        url: z.string().url(),
        /** HMAC-SHA256 key of `X-Pumpwatch-Signature`; at least 32 characters. */
        secret: z.string().min(32),
        /** Bearer secret the gateway sends to `POST /api/gateway/ack`; without it that route refuses all. */
        inboundToken: z.string().min(32).optional(),
        retry: retrySchema,
      })
      .optional(),
    /** Public routes of paging (ack by token, push receipts, gateway ack): requests per address. */
    publicRateLimit: z
      .object({
        max: z.number().int().positive().default(60),
        windowMs: z.number().int().positive().default(60_000),
      })
      .prefault({}),
  })
  .prefault({});
export type PagingConfig = z.infer<typeof pagingConfigSchema>;
