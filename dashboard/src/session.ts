import { loginResponseSchema, roleSchema } from '@pumpwatch/protocol';
import { z } from 'zod';
import { type ApiFailure, errorMessage, loginErrorField, readApiError, retryAfterSeconds } from './errors.js';

/**
 * Who is using this console (docs/dashboard.md, issue 8). The server issues a signed, expiring bearer
 * token at `POST /api/login`; the console keeps it in `sessionStorage` (this tab only, gone when the tab
 * closes) rather than `localStorage`, so a shared ward computer does not stay logged in for the next
 * person. The reply's schema is the protocol's, the one the server builds it with.
 */

export { roleSchema };
export type Role = z.infer<typeof roleSchema>;

/** `POST /api/login` → 200, as kept in this tab. */
export const sessionSchema = loginResponseSchema;
export type Session = z.infer<typeof sessionSchema>;

/** The part of `GET /api/health` the console reads: whether the server asks for a login at all. */
const healthAuthSchema = z.object({
  auth: z.object({ mode: z.enum(['required', 'disabled']) }).optional(),
});
export type AuthMode = 'required' | 'disabled' | 'unknown';

/** A console is either a logged-in user's, or (authentication disabled: development) nobody's. */
export type Identity = { kind: 'user'; session: Session } | { kind: 'anonymous' };

export const SESSION_KEY = 'pumpwatch.session';

export const SESSION_EXPIRED_NOTICE =
  'Session expired: log in again. Until you do, this screen shows no alerts.';
export const LOGGED_OUT_NOTICE = 'You have logged out.';
export const LOGGED_OUT_OFFLINE_NOTICE =
  'You have logged out on this screen. The server could not be reached to end the session there.';
export const LOGIN_NEEDED_NOTICE =
  'This server now asks for a login. Until you log in, this screen shows no alerts.';
export const SERVER_UNREACHABLE_NOTICE =
  'Could not reach the pumpwatch server to start. You can log in once it answers.';

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export type StoredSession = { session: Session } | { session: null; expired: boolean };

/**
 * The session kept in this tab, or why there is none: `expired` when one was kept but its time is up
 * (the login page then says "Session expired"), false when there was none or it was unreadable.
 */
export function loadSession(storage: Store | null, now: number): StoredSession {
  try {
    const raw = storage?.getItem(SESSION_KEY);
    if (!raw) return { session: null, expired: false };
    const parsed = sessionSchema.safeParse(JSON.parse(raw));
    if (parsed.success && parsed.data.expiresAt > now) return { session: parsed.data };
    storage?.removeItem(SESSION_KEY);
    return { session: null, expired: parsed.success };
  } catch {
    return { session: null, expired: false };
  }
}

export function saveSession(storage: Store | null, session: Session): void {
  try {
    storage?.setItem(SESSION_KEY, JSON.stringify(session));
  } catch {
    // Not kept: the console still works until the tab reloads.
  }
}

export function clearSession(storage: Store | null): void {
  try {
    storage?.removeItem(SESSION_KEY);
  } catch {
    // Nothing stored.
  }
}

/** viewer reads; nurse, coordinator and admin also acknowledge and snooze (server roles, docs/api.md). */
export function canAct(identity: Identity): boolean {
  return identity.kind === 'anonymous' || identity.session.role !== 'viewer';
}

export const ROLE_LABELS: Record<Role, string> = {
  viewer: 'Viewer',
  nurse: 'Nurse',
  coordinator: 'Coordinator',
  admin: 'Admin',
};

export const VIEW_ONLY_TEXT = 'View only: your role (viewer) cannot acknowledge or snooze alerts.';

/** A reply the login and health requests need: status, body and a header. */
export type HttpReply = Pick<Response, 'ok' | 'status' | 'json'> & {
  headers: Pick<Headers, 'get'>;
};
export type HttpFetch = (url: string, init?: RequestInit) => Promise<HttpReply>;

export type LoginResult =
  | { ok: true; session: Session }
  | { ok: false; code: string; message: string; field: 'username' | 'password' | null };

/** `POST /api/login`. Never throws: every outcome is a message the login page can show. */
export async function logIn(username: string, password: string, fetchFn: HttpFetch): Promise<LoginResult> {
  const name = username.trim();
  if (!name)
    return { ok: false, code: 'USERNAME_REQUIRED', message: 'Enter your username.', field: 'username' };
  if (!password)
    return { ok: false, code: 'PASSWORD_REQUIRED', message: 'Enter your password.', field: 'password' };
  let res: HttpReply;
  try {
    res = await fetchFn('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: name, password }),
    });
  } catch {
    return fail({ code: 'NETWORK' }, null);
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (res.ok) {
    const session = sessionSchema.safeParse(json);
    if (session.success) return { ok: true, session: session.data };
    return fail({ code: 'BAD_RESPONSE' }, null);
  }
  return fail(readApiError(res.status, json), retryAfterSeconds(res.headers.get('retry-after')));
}

function fail(failure: ApiFailure, retryAfterS: number | null): LoginResult {
  return {
    ok: false,
    code: failure.code,
    message: errorMessage('login', failure, { retryAfterS }),
    field: loginErrorField(failure),
  };
}

/** Whether the server asks for a login: `auth.mode` in `GET /api/health` (200 or 503 alike). */
export async function fetchAuthMode(fetchFn: HttpFetch): Promise<AuthMode> {
  try {
    const res = await fetchFn('/api/health', { headers: { accept: 'application/json' } });
    const parsed = healthAuthSchema.safeParse(await res.json());
    if (!parsed.success) return 'unknown';
    // A server that predates authentication reports no `auth` and asks for none. Either way the API's
    // own 401 is the last word: the console goes to the login page on any.
    return parsed.data.auth?.mode ?? 'disabled';
  } catch {
    return 'unknown';
  }
}

/**
 * Wraps fetch for every API call the console makes: adds the bearer token, and reports a 401 (expired,
 * revoked or forged token; or a server that started asking for one) so the console can end the session
 * instead of carrying on with a calm screen it can no longer update.
 */
export function authorizedFetch<R extends { status: number }>(
  fetchFn: (url: string, init?: RequestInit) => Promise<R>,
  token: () => string | null,
  onUnauthorized: () => void,
): (url: string, init?: RequestInit) => Promise<R> {
  return async (url, init = {}) => {
    const headers = new Headers(init.headers);
    const current = token();
    if (current) headers.set('authorization', `Bearer ${current}`);
    const res = await fetchFn(url, { ...init, headers });
    if (res.status === 401) onUnauthorized();
    return res;
  };
}

/** `/ws` with the token as `?token=`: browsers cannot set headers on a WebSocket. */
export function webSocketUrl(location: Pick<Location, 'protocol' | 'host'>, token: string | null): string {
  const base = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
  return token ? `${base}?token=${encodeURIComponent(token)}` : base;
}

export interface SessionView {
  /** "Logged in as", or "No login" when authentication is off. */
  label: string;
  user: string;
  role: string;
  /** For tests and styles: the role id, `none` without a login. */
  roleId: Role | 'none';
  /** What this person may do, or when the session ends; null when there is nothing to say. */
  note: string | null;
  /** True in the last `EXPIRY_WARNING_MS` before the session ends. */
  expiring: boolean;
}

/** Warn this long before the token expires: a nurse mid-shift must not be logged out by surprise. */
export const EXPIRY_WARNING_MS = 15 * 60_000;

/** `serverNow` is the server's clock (the token's expiry is on it). */
export function sessionView(
  identity: Identity,
  serverNow: number,
  formatLeft: (ms: number) => string,
): SessionView {
  if (identity.kind === 'anonymous') {
    return {
      label: 'No login',
      user: '',
      role: 'Authentication off',
      roleId: 'none',
      note: 'Development server: anyone can acknowledge. Enter your name to do so.',
      expiring: false,
    };
  }
  const { session } = identity;
  const left = session.expiresAt - serverNow;
  const expiring = left <= EXPIRY_WARNING_MS;
  return {
    label: 'Logged in as',
    user: session.username,
    role: ROLE_LABELS[session.role],
    roleId: session.role,
    note: expiring
      ? `Session ends in ${formatLeft(Math.max(0, left))}: log out and in again to stay connected.`
      : session.role === 'viewer'
        ? VIEW_ONLY_TEXT
        : null,
    expiring,
  };
}
