import { createHash, timingSafeEqual } from 'node:crypto';
import { pushReceiptBodySchema } from '@pumpwatch/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../auth/audit-log.js';
import { hasRole, type Identity } from '../auth/roles.js';
import { PumpwatchError } from '../errors.js';
import { sendError, sendValidationError } from '../http/errors.js';
import { allow, bearerToken, identityOf } from '../http/security.js';
import type { WardShell } from '../ward/ward-shell.js';
import type { AckTokens } from './ack-tokens.js';
import { type ContactService, deviceView } from './contacts/contact-service.js';
import { contactDetailsSchema, pushDeviceSchema } from './contacts/ports.js';

/** What the service worker reports back about a page (docs/paging.md#receipts); the lead records it. */
export interface PushReceiptReport {
  alertId: string;
  username: string;
  event: 'displayed' | 'clicked';
  at: number;
}

export interface PagingRouteDeps {
  contacts: ContactService;
  vapidPublicKey: string;
  ackTokens: Pick<AckTokens, 'verify'>;
  ward: Pick<WardShell, 'acknowledge'>;
  users: {
    currentIdentity(username: string): Promise<Identity | null>;
    /** Whether a credential issued at `issuedAt` belongs to the account stored now (user-service.ts). */
    acceptsSession(username: string, issuedAt: number): Promise<boolean>;
  };
  audit: AuditLog;
  now: () => number;
  /** `http://` endpoints on loopback accepted (tests' stand-in push service); https only otherwise. */
  allowLoopbackEndpoints: boolean;
  /** Bearer secret of the SMS/voice gateway's `POST /api/gateway/ack`; absent: that route refuses all. */
  gatewayInboundToken?: string;
  /** Per client address, for the public (token-checked) routes. */
  publicRateLimit: { max: number; windowMs: number };
  onReceipt?: (report: PushReceiptReport) => void | Promise<void>;
  /** Whether a page for the alert reached this person (the paging engine knows): the gateway may ack only as her. */
  wasPaged?: (alertId: string, username: string) => Promise<boolean>;
}

const alertParams = z.object({ alertId: z.string().min(1).max(128) });
export const deviceParams = z.object({ deviceId: z.string().min(1).max(64) });
const tokenSchema = z.string().min(1).max(2048);
export const ackByTokenBody = z.object({ token: tokenSchema }).strict();
export const gatewayAckBody = z
  .object({ alertId: z.string().min(1).max(128), username: z.string().min(1).max(64) })
  .strict();
export const contactBody = z
  .object({
    email: contactDetailsSchema.shape.email.default(null),
    smsNumber: contactDetailsSchema.shape.smsNumber.default(null),
  })
  .strict();

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost';
}

/** `PushSubscription.toJSON()` plus a label; the endpoint https (or loopback http when allowed). */
export function deviceBody(allowLoopback: boolean) {
  return z.object({
    endpoint: pushDeviceSchema.shape.endpoint.refine((value) => {
      const url = new URL(value);
      return (
        url.protocol === 'https:' || (allowLoopback && url.protocol === 'http:' && isLoopback(url.hostname))
      );
    }, 'a push service endpoint must be https'),
    expirationTime: z.number().nullable().optional(),
    keys: pushDeviceSchema.shape.keys,
    label: pushDeviceSchema.shape.label,
  });
}

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Paging routes (docs/api.md#paging): the person's own devices and contact details, the VAPID key a
 * browser subscribes with, and three public routes that carry their own proof instead of a session —
 * acknowledging by a page's ack token, the service worker's receipts, and the SMS gateway's
 * acknowledgement with its service credential. Those three are rate limited per address.
 */
export function registerPagingRoutes(app: FastifyInstance, deps: PagingRouteDeps): void {
  const signedIn = allow('viewer');
  const limited = {
    config: {
      access: 'public' as const,
      rateLimit: { max: deps.publicRateLimit.max, timeWindow: deps.publicRateLimit.windowMs },
    },
  };
  const me = (request: FastifyRequest) => identityOf(request).username;
  const devices = deviceBody(deps.allowLoopbackEndpoints);

  app.get('/api/push/vapid-public-key', signedIn, async () => ({ publicKey: deps.vapidPublicKey }));

  app.post('/api/me/devices', signedIn, async (request, reply) => {
    const body = devices.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    const { endpoint, keys, label } = body.data;
    const device = await deps.contacts.addDevice(me(request), { endpoint, keys, label });
    return reply.code(201).send(deviceView(device));
  });
  app.get('/api/me/devices', signedIn, async (request) =>
    (await deps.contacts.devices(me(request))).map(deviceView),
  );
  app.delete('/api/me/devices/:deviceId', signedIn, async (request, reply) => {
    const params = deviceParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    if (!(await deps.contacts.removeDevice(me(request), params.data.deviceId)))
      return sendError(reply, 404, 'DEVICE_NOT_FOUND', `you have no device ${params.data.deviceId}`);
    return reply.code(204).send();
  });

  app.get('/api/me/contact', signedIn, async (request) => {
    const contact = await deps.contacts.contact(me(request));
    return { email: contact?.email ?? null, smsNumber: contact?.smsNumber ?? null };
  });
  app.put('/api/me/contact', signedIn, async (request, reply) => {
    const body = contactBody.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    const contact = await deps.contacts.setContact(me(request), body.data);
    return { email: contact.email, smsNumber: contact.smsNumber };
  });

  /** Acknowledges as `username` if she may still acknowledge (her role as stored now). */
  const acknowledgeAs = async (
    reply: FastifyReply,
    alertId: string,
    username: string,
    via: 'push' | 'sms-gateway',
  ) => {
    const identity = await deps.users.currentIdentity(username);
    if (!identity) return sendError(reply, 401, 'UNAUTHENTICATED', `no user ${username}`);
    if (!hasRole(identity.role, 'nurse'))
      return sendError(reply, 403, 'FORBIDDEN', `${identity.role} may not acknowledge; it needs nurse`);
    try {
      const alert = await deps.ward.acknowledge(alertId, username);
      await deps.audit.record(username, 'alert_acknowledged', alert.id, null, {
        status: alert.status,
        rule: alert.rule,
        pumpId: alert.pumpId,
        via,
      });
      // A public route: what was done, never the patient.
      return {
        id: alert.id,
        status: alert.status,
        acknowledgedBy: alert.acknowledgedBy,
        acknowledgedAt: alert.acknowledgedAt,
      };
    } catch (error) {
      if (error instanceof PumpwatchError && error.code === 'ALERT_NOT_FOUND')
        return sendError(reply, 404, 'ALERT_NOT_FOUND', error.message);
      throw error;
    }
  };

  app.post('/api/alerts/:alertId/ack-by-token', limited, async (request, reply) => {
    const params = alertParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = ackByTokenBody.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    const claim = await deps.ackTokens.verify(body.data.token, params.data.alertId);
    if (!claim)
      return sendError(reply, 401, 'ACK_TOKEN_INVALID', 'the token is invalid, expired or for another alert');
    // A token outlives neither its account nor a reset: the name deleted and created again is someone else.
    if (!(await deps.users.acceptsSession(claim.username, claim.issuedAt)))
      return sendError(
        reply,
        401,
        'ACK_TOKEN_INVALID',
        'the token was issued to an earlier account of this name',
      );
    return acknowledgeAs(reply, claim.alertId, claim.username, 'push');
  });

  app.post('/api/push/receipts', limited, async (request, reply) => {
    const body = pushReceiptBodySchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    const claim = await deps.ackTokens.verify(body.data.ackToken, body.data.alertId);
    if (!claim)
      return sendError(reply, 401, 'ACK_TOKEN_INVALID', 'the token is invalid, expired or for another alert');
    await deps.onReceipt?.({
      alertId: claim.alertId,
      username: claim.username,
      event: body.data.event,
      at: deps.now(),
    });
    return reply.code(204).send();
  });

  app.post('/api/gateway/ack', limited, async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    const expected = deps.gatewayInboundToken;
    if (!token || !expected || !sameSecret(token, expected))
      return sendError(reply, 401, 'UNAUTHENTICATED', 'this route takes the SMS gateway credential');
    const body = gatewayAckBody.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    if (deps.wasPaged && !(await deps.wasPaged(body.data.alertId, body.data.username)))
      return sendError(reply, 403, 'FORBIDDEN', `${body.data.username} was not paged for this alert`);
    return acknowledgeAs(reply, body.data.alertId, body.data.username, 'sms-gateway');
  });
}
