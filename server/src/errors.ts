/**
 * Codes of errors the server throws. Callers and tests match on the code, never on the message; a code
 * is part of the contract (docs/api.md, docs/storage.md), so it is typed: a misspelt one does not compile.
 */
export type ServerErrorCode =
  | 'ALERT_NOT_FOUND'
  | 'ASSIGNMENT_CONFLICT'
  | 'PATIENT_DISCHARGED'
  | 'PATIENT_NOT_FOUND'
  | 'PAUSE_NOT_FOUND'
  | 'TEAM_NOT_FOUND'
  | 'THERAPY_NOT_FOUND'
  | 'CLI_ARGS_INVALID'
  | 'CONFIG_INVALID'
  | 'CONFIG_UNREADABLE'
  | 'HUB_EXISTS'
  | 'PASSWORD_WEAK'
  | 'STORE_CLOSED'
  | 'STORE_FLUSH_FAILED'
  | 'STORE_OPEN_FAILED'
  | 'UNAUTHENTICATED'
  | 'USER_EXISTS';

/** Codes of HTTP error bodies (`{"error": {"code", "message", "issues"?}}`, docs/api.md#errors). */
export type ApiErrorCode =
  | 'ACCESS_UNDECLARED'
  | 'ACK_TOKEN_INVALID'
  | 'ALERT_NOT_FOUND'
  | 'DEVICE_NOT_FOUND'
  | 'ASSIGNMENT_CONFLICT'
  | 'ASSIGNMENT_NOT_FOUND'
  | 'ORDER_IS_THERAPY'
  | 'PATIENT_DISCHARGED'
  | 'PATIENT_NOT_FOUND'
  | 'PAUSE_NOT_FOUND'
  | 'TEAM_NOT_FOUND'
  | 'THERAPY_NOT_FOUND'
  | 'BAD_REQUEST'
  | 'BODY_TOO_LARGE'
  | 'CANNOT_DELETE_SELF'
  | 'DASHBOARD_NOT_BUILT'
  | 'FORBIDDEN'
  | 'HUB_EXISTS'
  | 'HUB_NOT_FOUND'
  | 'INTERNAL'
  | 'INVALID_CREDENTIALS'
  | 'INVALID_JSON'
  | 'LOGIN_BACKOFF'
  | 'NOT_FOUND'
  | 'ORDER_NOT_FOUND'
  | 'OVERRIDE_NOT_FOUND'
  | 'PARAMS_INVALID'
  | 'PARAMS_NOT_FOUND'
  | 'PUMP_NOT_FOUND'
  | 'RATE_LIMITED'
  | 'ROTATION_NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'USER_EXISTS'
  | 'USER_NOT_FOUND'
  | 'VALIDATION_FAILED';

/** An error with a stable code; callers and tests match on `code`, never on the message. */
export class PumpwatchError extends Error {
  constructor(
    readonly code: ServerErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'PumpwatchError';
  }
}
