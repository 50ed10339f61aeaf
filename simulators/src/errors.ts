/** Stable error codes of the simulators (docs/simulators.md lists them); tests match on the code. */
export type SimulatorErrorCode = 'PROGRAM_INVALID' | 'SCENARIO_UNKNOWN' | 'TIME_BACKWARDS';

export class SimulatorError extends Error {
  override readonly name = 'SimulatorError';
  readonly code: SimulatorErrorCode;

  constructor(code: SimulatorErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
