import { apiErrorSchema } from '@pumpwatch/protocol';

/**
 * Every error code the console can meet, and what it says about it: once, here, so a code the server
 * adds (LOGIN_BACKOFF, ACCESS_UNDECLARED in issue 11) is handled in one place for every action. Codes
 * are the server's stable `error.code` (docs/api.md), or the console's own: `NETWORK` (no answer),
 * `BAD_RESPONSE` (an answer that does not parse), `HTTP_<status>` (an error without a body).
 */

/** What the nurse was doing: the same code means something different for each. */
export type ErrorAction = 'ack' | 'snooze' | 'login' | 'history';

export interface ApiFailure {
  code: string;
  /** The server's `error.message`, for codes whose message names what was wrong. */
  serverMessage?: string;
  /** Per-field problems of a `VALIDATION_FAILED` (a weak password: path `password`). */
  issues?: readonly { path: string; message: string }[];
}

export interface ErrorContext {
  /** `Retry-After` in seconds, when the reply had one (429). */
  retryAfterS?: number | null;
  /** The pump whose history was asked for. */
  pumpId?: string;
}

/** The error in a reply body, or `HTTP_<status>` when it has none the protocol schema accepts. */
export function readApiError(status: number, json: unknown): ApiFailure {
  const parsed = apiErrorSchema.safeParse(json);
  if (!parsed.success) return { code: `HTTP_${status}` };
  const { code, message, issues } = parsed.data.error;
  return { code, serverMessage: message, ...(issues ? { issues } : {}) };
}

/** A `Retry-After` header in seconds, or null when absent or not a positive number. */
export function retryAfterSeconds(header: string | null): number | null {
  const seconds = Number(header);
  return header !== null && Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : null;
}

const NOT_DONE: Record<'ack' | 'snooze', string> = {
  ack: 'the alert is NOT acknowledged',
  snooze: 'the alert is NOT snoozed',
};

export function errorMessage(action: ErrorAction, failure: ApiFailure, context: ErrorContext = {}): string {
  const { code, serverMessage } = failure;
  const wait = context.retryAfterS ? `${context.retryAfterS} s` : null;
  if (action === 'login') return loginMessage(failure, wait);
  if (action === 'history') {
    if (code === 'NETWORK') return 'Could not reach the server for the history. Try another range or reload.';
    if (code === 'PUMP_NOT_FOUND') return `The server has no history for ${context.pumpId ?? 'this pump'}.`;
    return `Could not load the history (${code}).`;
  }
  const notDone = NOT_DONE[action];
  switch (code) {
    case 'NETWORK':
      // A snooze the server did not record is kept on this console (snooze.ts localFallback).
      return action === 'ack'
        ? `Could not reach the server: ${notDone}. Try again.`
        : 'Could not reach the server: audio paused on this console only.';
    case 'NOT_FOUND':
    case 'HTTP_404':
      if (action === 'snooze')
        return 'This server cannot record snoozes yet: audio paused on this console only.';
      break;
    case 'ALERT_NOT_FOUND':
      return 'This alert no longer exists on the server (it may have been resolved).';
    case 'UNAUTHENTICATED':
      return `Your session has expired: ${notDone}. Log in again.`;
    case 'FORBIDDEN':
      return `Your role cannot ${action === 'ack' ? 'acknowledge' : 'snooze'} alerts: ${notDone}. Ask a nurse.`;
    case 'ACCESS_UNDECLARED':
      // The server's own fault (a route without an access rule refuses everyone): no role will help.
      return `The server refuses this to everyone (ACCESS_UNDECLARED): ${notDone}. Tell the administrator.`;
    case 'RATE_LIMITED':
      return `Too many requests from this computer: ${notDone}. Wait ${wait ?? 'a minute'}, then try again.`;
    case 'BAD_RESPONSE':
      if (action === 'ack') return 'The server sent an unexpected reply. Try again.';
      break;
    case 'VALIDATION_FAILED':
      if (action === 'ack') {
        return `The server refused the acknowledgement${serverMessage ? `: ${serverMessage}` : '.'}`;
      }
      break;
  }
  return action === 'ack'
    ? `Acknowledgement failed (${code}). Try again.`
    : `Snooze failed (${code})${serverMessage ? `: ${serverMessage}` : ''}.`;
}

function loginMessage(failure: ApiFailure, wait: string | null): string {
  switch (failure.code) {
    case 'NETWORK':
      return 'Could not reach the pumpwatch server. Check the connection and try again.';
    case 'BAD_RESPONSE':
      return 'The server sent an unexpected reply.';
    case 'INVALID_CREDENTIALS':
      return 'Wrong username or password. Check both and try again.';
    // Failed logins back off per address and per username (server/src/auth/login-backoff.ts): this is
    // about wrong passwords, not about how often this computer asks, so it says so.
    case 'LOGIN_BACKOFF':
      return `Too many failed logins; try again in ${wait ?? 'a moment'}.`;
    case 'RATE_LIMITED':
    case 'HTTP_429':
      return `Too many login attempts from this computer. Wait ${wait ?? 'a minute'}, then try again.`;
    case 'VALIDATION_FAILED': {
      const issue = failure.issues?.find((i) => i.path === 'password' || i.path === 'username');
      if (issue) return `The server refused that ${issue.path}: ${issue.message}`;
      return 'The server refused that username or password (too long?).';
    }
    default:
      return `Login failed (${failure.code}). Try again.`;
  }
}

/** The login field at fault: marked invalid and focused by the login page. */
export function loginErrorField(failure: ApiFailure): 'username' | 'password' | null {
  if (failure.code === 'INVALID_CREDENTIALS') return 'password';
  if (failure.code !== 'VALIDATION_FAILED') return null;
  const path = failure.issues?.find((i) => i.path === 'password' || i.path === 'username')?.path;
  return path === 'password' || path === 'username' ? path : null;
}
