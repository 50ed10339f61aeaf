import { DEFAULT_SNOOZE_MS, MAX_SNOOZE_MS } from '@pumpwatch/protocol';
import { describe, expect, it, vi } from 'vitest';
import { clampSnoozeMs, SNOOZE_CHOICES_MS, snoozeAlert } from '../src/snooze.js';
import { alert } from './fixtures.js';

const reply = (status: number, body: unknown) => ({
  ok: status >= 200 && status < 300,
  status,
  json: async () => body,
});

describe('snoozing an alert', () => {
  it('offers bounded lengths: 2 min by default, 15 min at most', () => {
    expect(SNOOZE_CHOICES_MS[0]).toBe(DEFAULT_SNOOZE_MS);
    expect(Math.max(...SNOOZE_CHOICES_MS)).toBe(MAX_SNOOZE_MS);
    expect(clampSnoozeMs(3_600_000)).toBe(MAX_SNOOZE_MS);
    expect(clampSnoozeMs(Number.NaN)).toBe(DEFAULT_SNOOZE_MS);
  });

  it('POSTs {by, durationMs} and returns the alert with snoozedUntil', async () => {
    const snoozed = alert({ snoozedUntil: 9_999 });
    const fetchFn = vi.fn(async () => reply(200, snoozed));
    const result = await snoozeAlert('a/1', ' Ana ', 300_000, fetchFn);
    expect(result).toEqual({ ok: true, alert: snoozed });
    expect(fetchFn).toHaveBeenCalledWith('/api/alerts/a%2F1/snooze', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"by":"Ana","durationMs":300000}',
    });
  });

  it('never asks for more than the maximum', async () => {
    const fetchFn = vi.fn(async () => reply(200, alert()));
    await snoozeAlert('a1', 'Ana', 10 * 3_600_000, fetchFn);
    expect(JSON.parse((fetchFn.mock.calls[0] as unknown as [string, RequestInit])[1].body as string)).toEqual(
      {
        by: 'Ana',
        durationMs: MAX_SNOOZE_MS,
      },
    );
  });

  it('refuses without a name and sends nothing', async () => {
    const fetchFn = vi.fn();
    expect(await snoozeAlert('a1', ' ', DEFAULT_SNOOZE_MS, fetchFn)).toMatchObject({
      ok: false,
      code: 'NAME_REQUIRED',
      localFallback: false,
    });
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it('falls back to a local pause when the server has no snooze route or cannot be reached', async () => {
    const noRoute = await snoozeAlert('a1', 'Ana', DEFAULT_SNOOZE_MS, async () =>
      reply(404, { error: { code: 'NOT_FOUND', message: 'no route' } }),
    );
    expect(noRoute).toMatchObject({ ok: false, code: 'NOT_FOUND', localFallback: true });
    const offline = await snoozeAlert('a1', 'Ana', DEFAULT_SNOOZE_MS, async () => {
      throw new TypeError('fetch failed');
    });
    expect(offline).toMatchObject({ ok: false, code: 'NETWORK', localFallback: true });
  });

  it('does not fall back for an alert the server does not know', async () => {
    const gone = await snoozeAlert('gone', 'Ana', DEFAULT_SNOOZE_MS, async () =>
      reply(404, { error: { code: 'ALERT_NOT_FOUND', message: 'no alert gone' } }),
    );
    expect(gone).toMatchObject({ ok: false, code: 'ALERT_NOT_FOUND', localFallback: false });
  });

  it('sends only the length when logged in: the server records the logged-in user', async () => {
    const fetchFn = vi.fn(async () => reply(200, alert({ snoozedUntil: 9_999 })));
    await snoozeAlert('a1', null, 300_000, fetchFn);
    expect(fetchFn).toHaveBeenCalledWith(
      '/api/alerts/a1/snooze',
      expect.objectContaining({ body: '{"durationMs":300000}' }),
    );
  });

  it('keeps nothing quiet locally when the role or the session is refused', async () => {
    for (const [status, code] of [
      [403, 'FORBIDDEN'],
      [401, 'UNAUTHENTICATED'],
    ] as const) {
      const result = await snoozeAlert('a1', null, DEFAULT_SNOOZE_MS, async () =>
        reply(status, { error: { code, message: code } }),
      );
      expect(result).toMatchObject({ ok: false, code, localFallback: false });
      if (!result.ok) expect(result.message).toContain('NOT snoozed');
    }
  });
});
