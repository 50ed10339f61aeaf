/**
 * The logging the gateway needs: pino's method shape (object first, then message), so main can pass a
 * pino logger and tests can pass nothing.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export function createSilentLogger(): Logger {
  const ignore = (): void => {};
  return { debug: ignore, info: ignore, warn: ignore, error: ignore };
}
