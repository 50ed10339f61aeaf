import { describe, expect, it, vi } from 'vitest';
import { acknowledgeAlert, NAME_REQUIRED_MESSAGE } from '../src/ack.js';
import { alert } from './fixtures.js';

const reply = (status: number, body: unknown) => ({
  ok: status >= 200 && status < 300,
  status,
  json: async () => body,
});

describe('acknowledging an alert', () => {
  it('refuses without a name and sends nothing', async () => {
    const fetchFn = vi.fn();
    const result = await acknowledgeAlert('a1', '   ', fetchFn);
    expect(result).toEqual({ ok: false, code: 'NAME_REQUIRED', message: NAME_REQUIRED_MESSAGE });
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it('POSTs the trimmed name and returns the updated alert', async () => {
    const acked = alert({ status: 'acknowledged', acknowledgedBy: 'Ana', acknowledgedAt: 5 });
    const fetchFn = vi.fn(async () => reply(200, acked));
    const result = await acknowledgeAlert('a/1', '  Ana ', fetchFn);
    expect(result).toEqual({ ok: true, alert: acked });
    expect(fetchFn).toHaveBeenCalledWith('/api/alerts/a%2F1/ack', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"by":"Ana"}',
    });
  });

  it('reports ALERT_NOT_FOUND by its code', async () => {
    const result = await acknowledgeAlert('gone', 'Ana', async () =>
      reply(404, { error: { code: 'ALERT_NOT_FOUND', message: 'no alert gone' } }),
    );
    expect(result).toMatchObject({ ok: false, code: 'ALERT_NOT_FOUND' });
  });

  it('reports VALIDATION_FAILED by its code', async () => {
    const result = await acknowledgeAlert('a1', 'Ana', async () =>
      reply(400, { error: { code: 'VALIDATION_FAILED', message: 'by: too long' } }),
    );
    expect(result).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
  });

  it('says plainly that the alert is NOT acknowledged when the server cannot be reached', async () => {
    const result = await acknowledgeAlert('a1', 'Ana', async () => {
      throw new TypeError('fetch failed');
    });
    expect(result).toMatchObject({ ok: false, code: 'NETWORK' });
    if (!result.ok) expect(result.message).toContain('NOT acknowledged');
  });

  it('rejects a success reply that is not an alert', async () => {
    const result = await acknowledgeAlert('a1', 'Ana', async () => reply(200, { hello: 1 }));
    expect(result).toMatchObject({ ok: false, code: 'BAD_RESPONSE' });
  });

  it('falls back to the HTTP status for an error body it does not know', async () => {
    const result = await acknowledgeAlert('a1', 'Ana', async () => reply(502, 'Bad Gateway'));
    expect(result).toMatchObject({ ok: false, code: 'HTTP_502' });
  });

  it('sends no name when logged in: the server records the logged-in user', async () => {
    const acked = alert({ status: 'acknowledged', acknowledgedBy: 'ana', acknowledgedAt: 5 });
    const fetchFn = vi.fn(async () => reply(200, acked));
    await expect(acknowledgeAlert('a1', null, fetchFn)).resolves.toEqual({ ok: true, alert: acked });
    expect(fetchFn).toHaveBeenCalledWith('/api/alerts/a1/ack', expect.objectContaining({ body: '{}' }));
  });

  it('says that a viewer’s acknowledgement was refused (FORBIDDEN) and an expired session (UNAUTHENTICATED)', async () => {
    const forbidden = await acknowledgeAlert('a1', null, async () =>
      reply(403, { error: { code: 'FORBIDDEN', message: 'viewer may not do this; it needs nurse' } }),
    );
    expect(forbidden).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    if (!forbidden.ok) expect(forbidden.message).toContain('NOT acknowledged');
    const expired = await acknowledgeAlert('a1', null, async () =>
      reply(401, { error: { code: 'UNAUTHENTICATED', message: 'the token is invalid or expired' } }),
    );
    expect(expired).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    if (!expired.ok) expect(expired.message).toContain('session has expired');
  });
});
