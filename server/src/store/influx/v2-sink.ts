import { InfluxDB, type WriteApi } from '@influxdata/influxdb-client';
import type { SampleSink } from '../forward/sink.js';
import { probeOutcome, toSinkError } from './errors.js';

export interface InfluxV2Options {
  url: string;
  org: string;
  bucket: string;
  token?: string;
  timeoutMs: number;
  /** Lines per write: the forwarder never sends more. */
  maxBatchLines: number;
  gzipThreshold: number;
}

/**
 * The v2 write API (InfluxDB 2.x, 3.x, Cloud, 1.8+, VictoriaMetrics) through the official client's
 * WriteApi. The client's own buffering is switched off: its retry buffer lives in memory and drops the
 * oldest lines when full, so every failure is handed straight back to the forwarder, whose spool is on
 * disk (issue #5).
 */
export class InfluxV2Sink implements SampleSink {
  readonly name: string;
  readonly description: Record<string, string>;
  private readonly client: InfluxDB;
  private readonly writeApi: WriteApi;
  private readonly probePath: string;

  constructor(options: InfluxV2Options) {
    this.client = new InfluxDB({
      url: options.url,
      timeout: options.timeoutMs,
      ...(options.token ? { token: options.token } : {}),
    });
    this.writeApi = this.client.getWriteApi(options.org, options.bucket, 'ms', {
      // Never flushes by itself: a batch larger than batchSize or maxBatchBytes would be sent on its own
      // with its failure swallowed, so both sit above what the forwarder sends at once.
      batchSize: options.maxBatchLines + 1,
      maxBatchBytes: 1 << 30,
      flushInterval: 0,
      maxRetries: 0,
      maxBufferLines: options.maxBatchLines + 1,
      gzipThreshold: options.gzipThreshold,
      // Returning a rejected promise makes flush() reject with the error, and keeps nothing for retry.
      writeFailed: (error: Error) => Promise.reject(error),
    });
    this.probePath = `/api/v2/write?${new URLSearchParams({ org: options.org, bucket: options.bucket, precision: 'ms' })}`;
    this.description = { api: 'v2', url: options.url, org: options.org, bucket: options.bucket };
    this.name = `influx-v2 ${options.url} ${options.org}/${options.bucket}`;
  }

  async write(lines: string[]): Promise<void> {
    try {
      this.writeApi.writeRecords(lines);
      await this.writeApi.flush();
    } catch (error) {
      throw toSinkError(error, 'v2');
    }
  }

  /** An empty write checks the token, org and bucket without adding a point. */
  async probe(): Promise<void> {
    const request = this.client.transport.request(this.probePath, '', {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
    await probeOutcome(request.catch((error: unknown) => Promise.reject(toSinkError(error, 'v2'))));
  }

  async close(): Promise<void> {
    await this.writeApi.close().catch(() => undefined);
  }
}
