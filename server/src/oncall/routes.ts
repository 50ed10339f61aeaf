import {
  escalationPolicyInputSchema,
  type FeedTokenResponse,
  idSchema,
  onCallUsernameSchema,
  overrideInputSchema,
  rotationsBodySchema,
} from '@pumpwatch/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApiErrorCode } from '../errors.js';
import { sendError, sendValidationError } from '../http/errors.js';
import { allow, identityOf } from '../http/security.js';
import { OnCallError, type OnCallErrorCode } from './oncall-error.js';
import type { OnCallService } from './oncall-service.js';

export const teamParams = z.object({ teamId: idSchema });
export const overrideParams = z.object({ teamId: idSchema, overrideId: idSchema });
/** `at` as epoch ms or an ISO 8601 date-time with its offset (`2026-03-29T07:00:00+02:00`). */
const instant = z.union([
  z.coerce.number().int().nonnegative(),
  z.iso.datetime({ offset: true }).transform((text) => Date.parse(text)),
]);
export const atQuery = z.object({ at: instant.optional() });
export const overridesQuery = z.object({
  from: instant.optional(),
  all: z.enum(['true', 'false']).optional(),
});
/** `{username}.ics`: a username, then the extension calendar apps expect. */
export const feedParams = z.object({
  feed: z
    .string()
    .regex(/\.ics$/, 'the feed is {username}.ics')
    .transform((file) => file.slice(0, -'.ics'.length))
    .pipe(onCallUsernameSchema),
});
export const feedQuery = z.object({ token: z.string().min(1).max(200) });

const STATUS_OF: Record<OnCallErrorCode, { status: number; code: ApiErrorCode }> = {
  TEAM_NOT_FOUND: { status: 404, code: 'TEAM_NOT_FOUND' },
  ROTATION_NOT_FOUND: { status: 404, code: 'ROTATION_NOT_FOUND' },
  OVERRIDE_NOT_FOUND: { status: 404, code: 'OVERRIDE_NOT_FOUND' },
  ONCALL_INVALID: { status: 400, code: 'VALIDATION_FAILED' },
  FORBIDDEN: { status: 403, code: 'FORBIDDEN' },
};

/**
 * On call (docs/oncall.md, docs/api.md#on-call): viewers read who is on call, the rota and the policy;
 * the team lead, coordinators and admins change them; a nurse adds overrides for herself. The route's
 * access is the floor; the service decides per team and person (rota-access.ts). The calendar feed is
 * public to the router and checks its own token, since a phone's calendar cannot send a bearer header.
 */
export function registerOnCallRoutes(app: FastifyInstance, deps: { oncall: OnCallService }): void {
  const { oncall } = deps;
  const viewer = allow('viewer');
  const nurse = allow('nurse');
  const now = () => oncall.now();
  const at = (value: number | undefined) => value ?? now();

  app.get('/api/teams/:teamId/oncall', viewer, async (request, reply) => {
    const params = teamParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const query = atQuery.safeParse(request.query);
    if (!query.success) return sendValidationError(reply, query.error);
    return answer(reply, async () => oncall.whoIsOnCall(params.data.teamId, at(query.data.at)));
  });

  app.get('/api/teams/:teamId/rotations', viewer, async (request, reply) => {
    const params = teamParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    return answer(reply, async () => oncall.rotationsOf(params.data.teamId));
  });
  app.put('/api/teams/:teamId/rotations', nurse, async (request, reply) => {
    const params = teamParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = rotationsBodySchema.safeParse(request.body ?? null);
    if (!body.success) return sendValidationError(reply, body.error);
    return answer(reply, () => oncall.putRotations(params.data.teamId, body.data, identityOf(request)));
  });

  app.get('/api/teams/:teamId/overrides', viewer, async (request, reply) => {
    const params = teamParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const query = overridesQuery.safeParse(request.query);
    if (!query.success) return sendValidationError(reply, query.error);
    const { teamId } = params.data;
    return answer(reply, async () =>
      oncall.overridesOf(teamId, at(query.data.from), query.data.all === 'true'),
    );
  });
  app.post('/api/teams/:teamId/overrides', nurse, async (request, reply) => {
    const params = teamParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = overrideInputSchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    return answer(reply, async () =>
      reply.code(201).send(await oncall.createOverride(params.data.teamId, body.data, identityOf(request))),
    );
  });
  app.put('/api/teams/:teamId/overrides/:overrideId', nurse, async (request, reply) => {
    const params = overrideParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = overrideInputSchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    const { teamId, overrideId } = params.data;
    return answer(reply, () => oncall.updateOverride(teamId, overrideId, body.data, identityOf(request)));
  });
  app.delete('/api/teams/:teamId/overrides/:overrideId', nurse, async (request, reply) => {
    const params = overrideParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const { teamId, overrideId } = params.data;
    return answer(reply, () => oncall.cancelOverride(teamId, overrideId, identityOf(request)));
  });

  app.get('/api/teams/:teamId/escalation-policy', viewer, async (request, reply) => {
    const params = teamParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    return answer(reply, async () => oncall.policyOf(params.data.teamId));
  });
  app.put('/api/teams/:teamId/escalation-policy', nurse, async (request, reply) => {
    const params = teamParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = escalationPolicyInputSchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    return answer(reply, async () => ({
      ...(await oncall.setPolicy(params.data.teamId, body.data, identityOf(request))),
      isDefault: false,
    }));
  });

  // --- Calendar feed --------------------------------------------------------------------------------
  app.post('/api/me/oncall-feed-token', viewer, async (request, reply) => {
    const { username } = identityOf(request);
    const { token, createdAt } = await oncall.rotateFeedToken(username);
    const body: FeedTokenResponse = { username, token, feedPath: feedPath(username, token), createdAt };
    return reply.code(201).send(body);
  });
  app.delete('/api/me/oncall-feed-token', viewer, async (request, reply) => {
    await oncall.revokeFeedToken(identityOf(request).username);
    return reply.code(204).send();
  });
  app.get('/api/oncall/:feed', allow('public'), async (request: FastifyRequest, reply: FastifyReply) => {
    const params = feedParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const query = feedQuery.safeParse(request.query);
    // One answer for an unknown user, a missing token and a wrong one: the feed says nothing about who exists.
    const username = params.data.feed;
    if (!query.success || !(await oncall.feedTokenValid(username, query.data.token)))
      return sendError(reply, 401, 'UNAUTHENTICATED', 'no valid feed token for this calendar');
    return reply
      .header('content-type', 'text/calendar; charset=utf-8')
      .header('cache-control', 'private, no-store')
      .send(oncall.feedOf(username, now()));
  });
}

function feedPath(username: string, token: string): string {
  return `/api/oncall/${encodeURIComponent(username)}.ics?token=${encodeURIComponent(token)}`;
}

async function answer<T>(reply: FastifyReply, action: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof OnCallError)) throw error;
    const { status, code } = STATUS_OF[error.code];
    return sendError(reply, status, code, error.message, error.issues);
  }
}
