import { describe, expect, it, vi } from 'vitest';
import { formatCountdown } from '../src/format.js';
import {
  authorizedFetch,
  canAct,
  clearSession,
  fetchAuthMode,
  type HttpReply,
  loadSession,
  logIn,
  SESSION_KEY,
  type Session,
  saveSession,
  sessionView,
  VIEW_ONLY_TEXT,
  webSocketUrl,
} from '../src/session.js';

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

function reply(status: number, body: unknown, headers: Record<string, string> = {}): HttpReply {
  return {
    ok: status >= 200 && status < 300,
    status,
    json: async () => body,
    headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
  };
}

const session: Session = { token: 'tok.en', expiresAt: 10_000, username: 'ana', role: 'nurse' };
const errorBody = (code: string) => ({ error: { code, message: code.toLowerCase() } });

describe('the session kept in this tab', () => {
  it('is saved, loaded while valid, and cleared', () => {
    const storage = memoryStorage();
    saveSession(storage, session);
    expect(loadSession(storage, 9_999)).toEqual({ session });
    clearSession(storage);
    expect(loadSession(storage, 0)).toEqual({ session: null, expired: false });
  });

  it('is dropped and reported expired once its time is up', () => {
    const storage = memoryStorage();
    saveSession(storage, session);
    expect(loadSession(storage, 10_000)).toEqual({ session: null, expired: true });
    expect(storage.data.has(SESSION_KEY)).toBe(false);
  });

  it('ignores garbage and storage that throws', () => {
    const storage = memoryStorage();
    storage.setItem(SESSION_KEY, '{"token":');
    expect(loadSession(storage, 0)).toEqual({ session: null, expired: false });
    storage.setItem(SESSION_KEY, JSON.stringify({ ...session, role: 'root' }));
    expect(loadSession(storage, 0)).toEqual({ session: null, expired: false });
    const throwing = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    expect(loadSession(throwing, 0)).toEqual({ session: null, expired: false });
    expect(() => saveSession(throwing, session)).not.toThrow();
    expect(() => clearSession(throwing)).not.toThrow();
  });
});

describe('logging in', () => {
  it('POSTs the trimmed username and the password as typed, and returns the session', async () => {
    const fetchFn = vi.fn(async () => reply(200, session));
    await expect(logIn('  ana ', ' pass word ', fetchFn)).resolves.toEqual({ ok: true, session });
    expect(fetchFn).toHaveBeenCalledWith('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":"ana","password":" pass word "}',
    });
  });

  it('asks for the missing field without calling the server', async () => {
    const fetchFn = vi.fn();
    await expect(logIn(' ', 'x', fetchFn)).resolves.toMatchObject({ ok: false, field: 'username' });
    await expect(logIn('ana', '', fetchFn)).resolves.toMatchObject({ ok: false, field: 'password' });
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it('says "wrong username or password" for INVALID_CREDENTIALS and points at the password', async () => {
    const result = await logIn('ana', 'nope', async () => reply(401, errorBody('INVALID_CREDENTIALS')));
    expect(result).toMatchObject({ ok: false, code: 'INVALID_CREDENTIALS', field: 'password' });
    if (!result.ok) expect(result.message).toMatch(/^Wrong username or password/);
  });

  it('says how long to wait when rate limited', async () => {
    const limited = await logIn('ana', 'x', async () =>
      reply(429, errorBody('RATE_LIMITED'), { 'retry-after': '42' }),
    );
    expect(limited).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    if (!limited.ok)
      expect(limited.message).toBe('Too many login attempts from this computer. Wait 42 s, then try again.');
    const noHeader = await logIn('ana', 'x', async () => reply(429, 'Too Many Requests'));
    expect(noHeader).toMatchObject({ ok: false, code: 'HTTP_429' });
    if (!noHeader.ok) expect(noHeader.message).toContain('Wait a minute');
  });

  it('reports an unreachable server and a reply that is not a session', async () => {
    const down = await logIn('ana', 'x', async () => {
      throw new TypeError('fetch failed');
    });
    expect(down).toMatchObject({ ok: false, code: 'NETWORK', field: null });
    if (!down.ok) expect(down.message).toContain('Could not reach');
    await expect(logIn('ana', 'x', async () => reply(200, { token: 'x' }))).resolves.toMatchObject({
      ok: false,
      code: 'BAD_RESPONSE',
    });
  });
});

describe('the server’s authentication mode', () => {
  it('is read from /api/health, healthy or degraded', async () => {
    await expect(fetchAuthMode(async () => reply(200, { auth: { mode: 'required' } }))).resolves.toBe(
      'required',
    );
    await expect(fetchAuthMode(async () => reply(503, { auth: { mode: 'disabled' } }))).resolves.toBe(
      'disabled',
    );
  });

  it('is "disabled" for a server that predates authentication, "unknown" when unreachable', async () => {
    await expect(fetchAuthMode(async () => reply(200, { status: 'ok' }))).resolves.toBe('disabled');
    await expect(fetchAuthMode(async () => reply(502, 'Bad Gateway'))).resolves.toBe('unknown');
    await expect(
      fetchAuthMode(async () => {
        throw new TypeError('fetch failed');
      }),
    ).resolves.toBe('unknown');
  });
});

describe('API calls with the token', () => {
  it('carry the bearer token and keep the caller’s headers', async () => {
    const inner = vi.fn(async (_url: string, _init?: RequestInit) => ({ status: 200 }));
    const api = authorizedFetch(inner, () => 'abc', vi.fn());
    await api('/api/pumps', { headers: { accept: 'application/json' } });
    const headers = new Headers(inner.mock.calls[0]?.[1]?.headers);
    expect(headers.get('authorization')).toBe('Bearer abc');
    expect(headers.get('accept')).toBe('application/json');
  });

  it('report a 401 so the session ends, and still return the reply', async () => {
    const onUnauthorized = vi.fn();
    const api = authorizedFetch(
      async () => ({ status: 401 }),
      () => null,
      onUnauthorized,
    );
    await expect(api('/api/me')).resolves.toEqual({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    await api('/api/me');
    expect(onUnauthorized).toHaveBeenCalledTimes(2);
  });

  it('do not treat 403 as the end of the session', async () => {
    const onUnauthorized = vi.fn();
    await authorizedFetch(
      async () => ({ status: 403 }),
      () => 't',
      onUnauthorized,
    )('/api/users');
    expect(onUnauthorized).not.toHaveBeenCalled();
  });
});

describe('roles and the header', () => {
  it('lets nurses and admins act, not viewers; without a login anyone may', () => {
    expect(canAct({ kind: 'user', session: { ...session, role: 'viewer' } })).toBe(false);
    expect(canAct({ kind: 'user', session: { ...session, role: 'nurse' } })).toBe(true);
    expect(canAct({ kind: 'user', session: { ...session, role: 'admin' } })).toBe(true);
    expect(canAct({ kind: 'anonymous' })).toBe(true);
  });

  it('shows who is logged in and, for a viewer, that the console is view only', () => {
    const far = session.expiresAt - 3_600_000;
    expect(sessionView({ kind: 'user', session }, far, formatCountdown)).toEqual({
      label: 'Logged in as',
      user: 'ana',
      role: 'Nurse',
      roleId: 'nurse',
      note: null,
      expiring: false,
    });
    const viewer = sessionView(
      { kind: 'user', session: { ...session, role: 'viewer' } },
      far,
      formatCountdown,
    );
    expect(viewer).toMatchObject({ role: 'Viewer', note: VIEW_ONLY_TEXT });
  });

  it('warns in the last 15 minutes before the session ends', () => {
    const view = sessionView({ kind: 'user', session }, session.expiresAt - 125_000, formatCountdown);
    expect(view.expiring).toBe(true);
    expect(view.note).toBe('Session ends in 2:05: log out and in again to stay connected.');
  });

  it('says loudly when the server has authentication off', () => {
    expect(sessionView({ kind: 'anonymous' }, 0, formatCountdown)).toMatchObject({
      label: 'No login',
      role: 'Authentication off',
      roleId: 'none',
    });
  });
});

describe('the WebSocket URL', () => {
  it('carries the token as ?token= (browsers cannot set headers on a WebSocket)', () => {
    expect(webSocketUrl({ protocol: 'https:', host: 'pw.example:8443' }, 'a+b/c')).toBe(
      'wss://pw.example:8443/ws?token=a%2Bb%2Fc',
    );
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:8080' }, null)).toBe('ws://127.0.0.1:8080/ws');
  });
});
