/** What the on-call service refuses, by stable code (docs/api.md#on-call maps each to an HTTP answer). */
export type OnCallErrorCode =
  | 'TEAM_NOT_FOUND'
  | 'ROTATION_NOT_FOUND'
  | 'OVERRIDE_NOT_FOUND'
  /** A well-formed body that names something wrong (a rotation of another team): 400 with `issues`. */
  | 'ONCALL_INVALID'
  /** The caller's role is enough for the route but not for this team or this person. */
  | 'FORBIDDEN';

export interface OnCallIssue {
  path: string;
  message: string;
}

/** The on-call area's own error: callers and tests match on `code`, never on the message. */
export class OnCallError extends Error {
  constructor(
    readonly code: OnCallErrorCode,
    message: string,
    readonly issues?: OnCallIssue[],
  ) {
    super(message);
    this.name = 'OnCallError';
  }
}
