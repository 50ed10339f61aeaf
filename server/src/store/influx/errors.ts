import { HttpError } from '@influxdata/influxdb-client';
import { SinkError } from '../forward/sink.js';

/** Maps what the client library threw to a named failure (docs/storage.md, error codes). */
export function toSinkError(error: unknown, api: 'v1' | 'v2'): SinkError {
  if (error instanceof SinkError) return error;
  if (error instanceof HttpError) {
    const body = error.body ?? '';
    const message = `HTTP ${error.statusCode}: ${body.trim() || error.message}`;
    const status = error.statusCode;
    if (status === 401 || status === 403) return new SinkError('INFLUX_AUTH_FAILED', message, status);
    if (status === 404) {
      return new SinkError(
        api === 'v1' ? 'INFLUX_DATABASE_NOT_FOUND' : 'INFLUX_BUCKET_NOT_FOUND',
        message,
        status,
      );
    }
    // InfluxDB 1.x answers a missing retention policy with a 500.
    if (/retention policy not found/i.test(body)) {
      return new SinkError('INFLUX_RETENTION_POLICY_NOT_FOUND', message, status);
    }
    if (status === 413) return new SinkError('INFLUX_TOO_LARGE', message, status);
    if (status === 400 || status === 422) return new SinkError('INFLUX_WRITE_REJECTED', message, status);
    return new SinkError('INFLUX_UNAVAILABLE', message, status);
  }
  return new SinkError('INFLUX_UNREACHABLE', error instanceof Error ? error.message : String(error));
}

/**
 * An empty write that gets past credentials and the database or bucket lookup has told us what we wanted,
 * even when the server then refuses an empty body (InfluxDB 2.x answers 400 "writing requires points").
 */
export async function probeOutcome(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (error instanceof SinkError && error.code === 'INFLUX_WRITE_REJECTED') return;
    throw error;
  }
}
