import { describe, expect, it } from 'vitest';
import type { AlertEvent, PagingPath, Receipt } from '../src/oncall/oncall-api.js';
import { pagingPathView, receiptLine, receiptsSummary, timelineOf } from '../src/oncall/receipts.js';
import { alert } from './fixtures.js';

const UTC = 'UTC';
/** 2026-03-29 03:12:04 UTC. */
const T0 = Date.UTC(2026, 2, 29, 3, 12, 4);

function event(
  actor: string,
  details: Record<string, unknown>,
  at = T0,
  type: AlertEvent['type'] = 'notified',
): AlertEvent {
  return { alertId: 'a1', type, at, actor, alert: alert(), details };
}

describe('receipt wording (send me a test alert)', () => {
  const base: Receipt = {
    channel: 'push',
    target: "Ana's phone",
    recipient: 'ana',
    status: 'sent',
    at: T0,
    attempts: 1,
  };

  it('says channel, target and outcome', () => {
    expect(receiptLine({ ...base, statusCode: 201 }).text).toBe("Push to Ana's phone: sent (201)");
    expect(
      receiptLine({
        ...base,
        channel: 'email',
        target: 'ana@example.org',
        status: 'failed',
        statusCode: 550,
        error: '550 mailbox unavailable',
      }),
    ).toMatchObject({
      text: 'Email to ana@example.org: failed: 550 mailbox unavailable',
      tone: 'failed',
    });
    expect(
      receiptLine({
        ...base,
        channel: 'webhook',
        target: 'https://sms.example.org/hook',
        status: 'failed',
        statusCode: 503,
      }).text,
    ).toBe('SMS gateway to https://sms.example.org/hook: failed: 503');
  });

  it('says plainly when the person has nothing to be reached by', () => {
    const line = receiptLine({
      ...base,
      target: 'none',
      status: 'skipped',
      error: 'no device, address or number on any channel',
    });
    expect(line.text).toBe(
      'Nothing sent: no device, address or number on any channel. Add a device or an address below.',
    );
    expect(line.tone).toBe('info');
  });

  it('counts the outcomes', () => {
    expect(receiptsSummary([base, { ...base, status: 'failed' }, { ...base, status: 'skipped' }])).toBe(
      'Test alert: 1 sent, 1 failed, 1 skipped.',
    );
    expect(receiptsSummary([])).toBe('The server sent nothing and said nothing.');
  });
});

describe("an alert's receipts in words", () => {
  it('tells the story: paged, push sent and shown, email failed, escalated, acknowledged', () => {
    const lines = timelineOf(
      [
        event('ward', {}, T0 - 4000, 'raised'),
        event('paging:ana', { status: 'queued', reason: 'raised', step: 0 }),
        event('push:ana', {
          channel: 'push',
          target: "Ana's phone",
          recipient: 'ana',
          status: 'sent',
          statusCode: 201,
          step: 0,
          reason: 'raised',
          at: T0,
        }),
        event('email:ana', {
          channel: 'email',
          target: 'ana@example.org',
          recipient: 'ana',
          status: 'failed',
          statusCode: 550,
          step: 0,
          reason: 'raised',
          at: T0,
        }),
        event('push:ana', { channel: 'push', recipient: 'ana', status: 'displayed', at: T0 + 1000 }),
        event('paging:ben', { status: 'queued', reason: 'escalated', step: 1 }, T0 + 120_000),
        event('ben', {}, T0 + 150_000, 'acknowledged'),
      ],
      UTC,
    );
    expect(lines.map((l) => l.text)).toEqual([
      'raised 03:12:00',
      'paging ana (step 1) 03:12:04',
      "push to ana (Ana's phone) 03:12:04 sent (201), shown 03:12:05",
      'email to ana@example.org 03:12:04 failed: 550',
      'escalated to ben (step 2) 03:14:04',
      'acknowledged by ben 03:14:34',
    ]);
    expect(lines.map((l) => l.tone)).toEqual(['info', 'info', 'ok', 'failed', 'info', 'ok']);
  });

  it('tells a reopened alert and one replaced by another for the same cause (issue 16)', () => {
    const lines = timelineOf(
      [
        event('engine', { resolvedAt: T0 - 60_000, afterMs: 60_000 }, T0, 'retriggered'),
        event(
          'engine',
          { reason: 'superseded', supersededBy: 'p1.occlusion_downstream.9' },
          T0 + 1000,
          'resolved',
        ),
        event('engine', {}, T0 + 2000, 'resolved'),
      ],
      UTC,
    );
    expect(lines.map((l) => l.text)).toEqual([
      'condition back 03:12:04: same alert reopened',
      'replaced by p1.occlusion_downstream.9 03:12:05: one alert for one cause',
      'resolved 03:12:06',
    ]);
  });

  it('puts a "shown" that was recorded before its push receipt on that push (the report raced it)', () => {
    const lines = timelineOf(
      [
        event('push:ana', { channel: 'push', recipient: 'ana', status: 'displayed', at: T0 + 20 }),
        event('push:ana', {
          channel: 'push',
          target: 'Pixel',
          recipient: 'ana',
          status: 'sent',
          statusCode: 201,
          at: T0,
        }),
        event('push:ana', { channel: 'push', recipient: 'ana', status: 'clicked', at: T0 + 9000 }),
      ],
      UTC,
    );
    expect(lines.map((l) => l.text)).toEqual([
      'push to ana (Pixel) 03:12:04 sent (201), shown 03:12:04, tapped 03:12:13',
    ]);
  });

  it('names a step that paged nobody, a person with no channel, and a config tier webhook', () => {
    const lines = timelineOf(
      [
        event('paging', { status: 'unresolved', step: 1, targets: [{ kind: 'team_lead' }] }),
        event('push:sam', {
          channel: 'push',
          target: 'none',
          recipient: 'sam',
          status: 'skipped',
          error: 'no device',
        }),
        event('webhook:tier-1', {
          channel: 'webhook',
          target: 'https://hooks.example.org/x',
          ok: false,
          status: 500,
          attempts: 3,
          error: 'HTTP 500',
        }),
      ],
      UTC,
    );
    expect(lines.map((l) => [l.text, l.tone])).toEqual([
      ['step 2: 1 target paged nobody (no one on call, no lead) 03:12:04', 'failed'],
      ['nothing to reach sam by (no device, address or number) 03:12:04', 'failed'],
      ['webhook tier-1 https://hooks.example.org/x 03:12:04 failed: HTTP 500', 'failed'],
    ]);
  });
});

describe('the escalation path', () => {
  const path: PagingPath = {
    alertId: 'a1',
    teamId: 'team_1',
    state: 'paging',
    nextAt: T0 + 120_000,
    attempt: 1,
    repeat: 2,
    reached: ['ana'],
    stopped: null,
    steps: [
      {
        index: 0,
        delayMs: { high: 120_000, medium: 600_000, low: null },
        usernames: ['ana'],
        webhooks: 0,
        unresolved: 0,
      },
      {
        index: 1,
        delayMs: { high: 120_000, medium: 600_000, low: null },
        usernames: ['ben'],
        webhooks: 0,
        unresolved: 0,
      },
      {
        index: 2,
        delayMs: { high: 120_000, medium: 600_000, low: null },
        usernames: [],
        webhooks: 1,
        unresolved: 1,
      },
    ],
  };

  it('says when the next page goes and to whom each step still to come goes', () => {
    const view = pagingPathView(path, 'high', T0 + 15_000, UTC);
    expect(view.stateText).toBe('Paging: next page 03:14:04 (in 1:45) unless acknowledged; page 2 of 9.');
    expect(view.reachedText).toBe('Reached so far: ana.');
    expect(view.steps.map((s) => [s.text, s.state, s.whenText])).toEqual([
      ['Step 1 — ana', 'done', 'paged, then waits 2 min'],
      ['Step 2 — ben', 'next', 'at 03:14:04 unless acknowledged, then waits 2 min'],
      [
        'Step 3 — nobody on call + 1 webhook (1 target resolve to nobody)',
        'later',
        'at 03:16:04 unless acknowledged, then waits 2 min',
      ],
    ]);
  });

  it('says why paging stopped, or never started', () => {
    const stopped = pagingPathView(
      {
        ...path,
        state: 'stopped',
        nextAt: null,
        stopped: { reason: 'acknowledged', by: 'ana', at: T0 + 60_000 },
      },
      'high',
      T0,
      UTC,
    );
    expect(stopped.stateText).toBe('Paging stopped: acknowledged by ana at 03:13:04.');
    expect(stopped.steps.map((s) => s.state)).toEqual(['done', 'not-needed', 'not-needed']);
    const quiet = pagingPathView({ ...path, state: 'quiet', nextAt: null, attempt: 0 }, 'low', T0, UTC);
    expect(quiet.stateText).toMatch(/^Not paged: this team's policy pages no low priority alerts/);
    expect(quiet.steps.every((s) => s.state === 'off')).toBe(true);
  });
});
