import type { Alert } from '@pumpwatch/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../auth/audit-log.js';
import { sendError, sendValidationError } from '../http/errors.js';
import { allow, identityOf } from '../http/security.js';
import type { OnCallAnswers, PagingService } from './paging-service.js';

const alertParams = z.object({ alertId: z.string().min(1).max(128) });

/**
 * The paging engine's routes (docs/api.md#paging): "send me a test alert", which goes out as a real
 * page does (every channel of the caller, its receipts in the answer), and an alert's escalation path
 * (where it stands on its policy, whom each step pages now).
 */
export function registerPagingEngineRoutes(
  app: FastifyInstance,
  deps: { pager: PagingService; oncall: OnCallAnswers; audit: AuditLog; now: () => number },
): void {
  const signedIn = allow('viewer');

  app.post('/api/me/test-page', signedIn, async (request) => {
    const { username } = identityOf(request);
    const now = deps.now();
    const receipts = await deps.pager.testPage(username, testAlert(username, now));
    await deps.audit.record(username, 'test_page_sent', username, null, {
      receipts: receipts.map(({ channel, target, status }) => ({ channel, target, status })),
    });
    return { receipts };
  });

  app.get('/api/alerts/:alertId/paging', signedIn, async (request, reply) => {
    const params = alertParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const record =
      deps.pager.record(params.data.alertId) ?? (await deps.pager.storedRecord(params.data.alertId));
    if (!record)
      return sendError(reply, 404, 'ALERT_NOT_FOUND', `alert ${params.data.alertId} was never paged`);
    const policy = deps.oncall.policyOf(record.teamId);
    const now = deps.now();
    return {
      alertId: record.alertId,
      teamId: record.teamId,
      state: record.state,
      nextAt: record.nextAt,
      attempt: record.attempt,
      repeat: policy.repeat,
      reached: record.reached,
      stopped: record.stopped,
      steps: policy.steps.map((step, index) => {
        const recipients = deps.oncall.recipientsOfStep(record.teamId, index, now);
        return {
          index,
          delayMs: step.delayMs,
          usernames: recipients.usernames,
          webhooks: recipients.webhooks.length,
          unresolved: recipients.unresolved.length,
        };
      }),
    };
  });
}

/** The alert a test page carries: plainly a test, naming no patient. */
function testAlert(username: string, now: number): Alert {
  return {
    id: `test-${username}-${now}`,
    hubId: 'pumpwatch',
    pumpId: 'TEST-PAGE',
    rule: 'pump_alarm',
    priority: 'high',
    status: 'active',
    raisedAt: now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    message: `Test page for ${username}: this is how an alert reaches you. Nothing to do.`,
    details: { test: true },
    latched: false,
    snoozedUntil: null,
    escalationLevel: 0,
    escalatedAt: null,
    patient: null,
    therapy: null,
  };
}
