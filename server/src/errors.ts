/** An error with a stable code; callers and tests match on `code`, never on the message. */
export class PumpwatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'PumpwatchError';
  }
}
