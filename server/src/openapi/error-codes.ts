import type { ApiErrorCode } from '../errors.js';

/**
 * What each error code of the HTTP API means. A `Record` over the `ApiErrorCode` type, so a code added
 * there does not compile until it is described here, and the document lists every code there is.
 */
export const ERROR_CODE_MEANINGS: Record<ApiErrorCode, string> = {
  ACCESS_UNDECLARED: 'the route declares no access; refused to everyone (a server bug, never expected)',
  ACK_TOKEN_INVALID: 'the ack token is invalid, expired, for another alert or for an earlier account',
  ALERT_NOT_FOUND: 'no such alert (or, for its paging path, it was never paged)',
  ASSIGNMENT_CONFLICT: 'the pump or therapy is assigned elsewhere at that time',
  ASSIGNMENT_NOT_FOUND: 'the pump is not assigned',
  BAD_REQUEST: 'the request could not be read (a parser error other than the ones below)',
  BODY_TOO_LARGE: 'the body is over 64 KiB',
  CANNOT_DELETE_SELF: 'an admin cannot delete itself',
  DASHBOARD_NOT_BUILT: 'the dashboard is not built (`npm run build:dashboard`)',
  DEVICE_NOT_FOUND: 'the caller has no such push device',
  FORBIDDEN: "the caller's role (or the rota's rules) does not allow this",
  HUB_EXISTS: 'a hub with this id is registered already',
  HUB_NOT_FOUND: 'no registered hub with this id',
  INTERNAL: 'the server failed; the log has the cause',
  INVALID_CREDENTIALS: 'wrong username or password',
  INVALID_JSON: 'the body is not JSON, or is empty with a JSON content type',
  LOGIN_BACKOFF: 'too many failed logins for this address or username; `Retry-After` says when',
  NOT_FOUND: 'no route for this method and path',
  ORDER_IS_THERAPY: 'the pump runs a therapy: change the therapy or end the assignment',
  ORDER_NOT_FOUND: 'the pump has no order',
  OVERRIDE_NOT_FOUND: 'no such on-call override in this team',
  PARAMS_INVALID: 'the rule settings do not match the engine parameters (issues name the paths)',
  PARAMS_NOT_FOUND: 'the pump has no rule settings of its own',
  PATIENT_DISCHARGED: 'the patient is discharged',
  PATIENT_NOT_FOUND: 'no such patient',
  PAUSE_NOT_FOUND: 'the pump has no planned pause in force',
  PUMP_NOT_FOUND: 'no such pump (it has never reported)',
  RATE_LIMITED: 'too many requests from this address; retry later',
  ROTATION_NOT_FOUND: 'no such rotation',
  TEAM_NOT_FOUND: 'no such care team',
  THERAPY_NOT_FOUND: 'no such therapy',
  UNAUTHENTICATED: 'no valid credential: log in (Authorization: Bearer <token>), or the route’s own token',
  UNSUPPORTED_MEDIA_TYPE: 'the body has a content type the API does not read (send application/json)',
  USER_EXISTS: 'a user with this name exists',
  USER_NOT_FOUND: 'no such user',
  VALIDATION_FAILED: 'the input does not match the schema; `issues` lists each path and problem',
};
