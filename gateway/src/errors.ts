/** Stable error codes of the gateway (docs/gateway.md, "Error codes"); tests match on the code. */
export type GatewayErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_UNREADABLE'
  | 'CLI_ARGS_INVALID'
  | 'STORE_OPEN_FAILED'
  | 'STORE_CLOSED'
  | 'GATEWAY_STATE';

export interface ConfigIssue {
  /** Dotted path of the offending field, e.g. `pumps.1.rate_mL_h`; empty for the document itself. */
  path: string;
  message: string;
}

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly code: GatewayErrorCode;
  /** Every problem found, for CONFIG_INVALID: a config is checked as a whole, not to its first error. */
  readonly issues: ConfigIssue[];

  constructor(
    code: GatewayErrorCode,
    message: string,
    options: { issues?: ConfigIssue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
  }
}
