/** Stable error codes of the simulators (docs/simulators.md lists them); tests match on the code. */
export type SimulatorErrorCode =
  | 'PROGRAM_INVALID'
  | 'SCENARIO_UNKNOWN'
  | 'TIME_BACKWARDS'
  /** An event with an impossible value (a negative `rate_error` factor, say). */
  | 'EVENT_INVALID'
  /** A load generator setting out of range (`--pumps 0`, `--hz -1`…). */
  | 'LOAD_INVALID';

export class SimulatorError extends Error {
  override readonly name = 'SimulatorError';
  readonly code: SimulatorErrorCode;

  constructor(code: SimulatorErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
