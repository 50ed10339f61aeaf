import { describe, expect, it } from 'vitest';
import { errorMessage, loginErrorField, readApiError, retryAfterSeconds } from '../src/errors.js';
import { type HttpReply, logIn } from '../src/session.js';

function reply(status: number, body: unknown, headers: Record<string, string> = {}): HttpReply {
  return {
    ok: status >= 200 && status < 300,
    status,
    json: async () => body,
    headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
  };
}

describe('error code → message, once for the whole console', () => {
  it('reads the code from an error body, or HTTP_<status> without one', () => {
    expect(readApiError(403, { error: { code: 'FORBIDDEN', message: 'needs nurse' } })).toEqual({
      code: 'FORBIDDEN',
      serverMessage: 'needs nurse',
    });
    expect(readApiError(502, '<html>')).toEqual({ code: 'HTTP_502' });
    expect(retryAfterSeconds('4.2')).toBe(5);
    expect(retryAfterSeconds(null)).toBeNull();
    expect(retryAfterSeconds('soon')).toBeNull();
  });

  it('says a failed login back-off is about failed logins, and how long to wait', async () => {
    const backoff = reply(
      429,
      { error: { code: 'LOGIN_BACKOFF', message: 'retry in 12 s' } },
      { 'retry-after': '12' },
    );
    const result = await logIn('ana', 'wrong-again', async () => backoff);
    expect(result).toEqual({
      ok: false,
      code: 'LOGIN_BACKOFF',
      message: 'Too many failed logins; try again in 12 s.',
      field: null,
    });
  });

  it('names the password field when the server finds the password weak (VALIDATION_FAILED, path password)', () => {
    const weak = {
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'password', message: 'too easy to guess' }],
    };
    expect(errorMessage('login', weak)).toBe('The server refused that password: too easy to guess');
    expect(loginErrorField(weak)).toBe('password');
    expect(loginErrorField({ code: 'VALIDATION_FAILED' })).toBeNull();
    expect(loginErrorField({ code: 'INVALID_CREDENTIALS' })).toBe('password');
  });

  it('says ACCESS_UNDECLARED is the server’s fault, and that nothing was done', () => {
    for (const action of ['ack', 'snooze'] as const) {
      const message = errorMessage(action, { code: 'ACCESS_UNDECLARED' });
      expect(message).toContain('ACCESS_UNDECLARED');
      expect(message).toContain(action === 'ack' ? 'NOT acknowledged' : 'NOT snoozed');
    }
  });

  it('names the code of anything it does not know, for every action', () => {
    expect(errorMessage('ack', { code: 'HTTP_502' })).toBe('Acknowledgement failed (HTTP_502). Try again.');
    expect(errorMessage('snooze', { code: 'X', serverMessage: 'why' })).toBe('Snooze failed (X): why.');
    expect(errorMessage('login', { code: 'X' })).toBe('Login failed (X). Try again.');
    expect(errorMessage('history', { code: 'X' })).toBe('Could not load the history (X).');
    expect(errorMessage('history', { code: 'PUMP_NOT_FOUND' }, { pumpId: 'P-1' })).toBe(
      'The server has no history for P-1.',
    );
  });
});
