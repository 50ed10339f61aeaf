import type { InfluxConfig } from '../config.js';
import type { SampleSink } from '../forward/sink.js';
import { InfluxV1Sink } from './v1-sink.js';
import { InfluxV2Sink } from './v2-sink.js';

/** `database` → the 1.x API; `bucket` → the v2 write API (the config schema allows exactly one). */
export function createInfluxSink(config: InfluxConfig): SampleSink {
  const common = { url: config.url, timeoutMs: config.timeoutMs, gzipThreshold: config.gzipThreshold };
  if (config.database !== undefined) {
    return new InfluxV1Sink({
      ...common,
      database: config.database,
      ...(config.retentionPolicy ? { retentionPolicy: config.retentionPolicy } : {}),
      ...(config.username ? { username: config.username } : {}),
      ...(config.password !== undefined ? { password: config.password } : {}),
    });
  }
  return new InfluxV2Sink({
    ...common,
    org: config.org as string,
    bucket: config.bucket as string,
    maxBatchLines: config.batchSize,
    ...(config.token ? { token: config.token } : {}),
  });
}
