import { HttpError } from '@influxdata/influxdb-client';
import { describe, expect, it } from 'vitest';
import { probeOutcome, toSinkError } from '../../src/store/influx/errors.js';

const http = (status: number, body = '') => new HttpError(status, 'status', body);

describe('InfluxDB failures get stable names', () => {
  it('names credentials, missing targets and refused points by HTTP status', () => {
    expect(toSinkError(http(401, '{"code":"unauthorized"}'), 'v2').code).toBe('INFLUX_AUTH_FAILED');
    expect(toSinkError(http(403), 'v1').code).toBe('INFLUX_AUTH_FAILED');
    expect(toSinkError(http(404, '{"message":"bucket \\"x\\" not found"}'), 'v2').code).toBe(
      'INFLUX_BUCKET_NOT_FOUND',
    );
    expect(toSinkError(http(404, '{"error":"database not found"}'), 'v1').code).toBe(
      'INFLUX_DATABASE_NOT_FOUND',
    );
    expect(toSinkError(http(500, '{"error":"retention policy not found: x"}'), 'v1').code).toBe(
      'INFLUX_RETENTION_POLICY_NOT_FOUND',
    );
    expect(toSinkError(http(413), 'v2').code).toBe('INFLUX_TOO_LARGE');
    expect(toSinkError(http(400, 'unable to parse'), 'v2').code).toBe('INFLUX_WRITE_REJECTED');
    expect(toSinkError(http(422), 'v2').code).toBe('INFLUX_WRITE_REJECTED');
    expect(toSinkError(http(503), 'v2').code).toBe('INFLUX_UNAVAILABLE');
    expect(toSinkError(http(429), 'v2').code).toBe('INFLUX_UNAVAILABLE');
    expect(toSinkError(new Error('connect ECONNREFUSED 127.0.0.1:8086'), 'v2').code).toBe(
      'INFLUX_UNREACHABLE',
    );
  });

  it('retries everything but refused points', () => {
    expect(toSinkError(http(400), 'v1').permanent).toBe(true);
    for (const status of [401, 404, 413, 500, 503])
      expect(toSinkError(http(status), 'v1').permanent).toBe(false);
  });

  it('keeps the server’s reason in the message', () => {
    expect(toSinkError(http(401, '{"error":"authorization failed"}'), 'v1').message).toContain(
      'authorization failed',
    );
  });

  it('takes a probe refused only for its empty body (InfluxDB 2.x: 400) as a healthy target', async () => {
    await expect(
      probeOutcome(Promise.reject(toSinkError(http(400, 'writing requires points'), 'v2'))),
    ).resolves.toBe(undefined);
    await expect(probeOutcome(Promise.reject(toSinkError(http(401), 'v2')))).rejects.toMatchObject({
      code: 'INFLUX_AUTH_FAILED',
    });
  });
});
