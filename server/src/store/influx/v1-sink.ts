import { InfluxDB } from '@influxdata/influxdb-client';
import type { SampleSink } from '../forward/sink.js';
import { probeOutcome, toSinkError } from './errors.js';

export interface InfluxV1Options {
  url: string;
  database: string;
  /** Unset: the database's default retention policy. */
  retentionPolicy?: string;
  username?: string;
  password?: string;
  timeoutMs: number;
  /** Bodies larger than this are gzipped. */
  gzipThreshold: number;
}

/**
 * InfluxDB 1.x through its own HTTP API (`POST /write?db=&rp=&precision=ms`), sent by the official
 * client's transport. 1.x before 1.8 has no `/api/v2/write`, and it takes Basic credentials, not a token.
 */
export class InfluxV1Sink implements SampleSink {
  readonly name: string;
  readonly description: Record<string, string>;
  private readonly client: InfluxDB;
  private readonly path: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: InfluxV1Options) {
    const query = new URLSearchParams({ db: options.database, precision: 'ms' });
    if (options.retentionPolicy) query.set('rp', options.retentionPolicy);
    this.path = `/write?${query}`;
    this.client = new InfluxDB({ url: options.url, timeout: options.timeoutMs });
    this.headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (options.username !== undefined) {
      const credentials = Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64');
      this.headers.authorization = `Basic ${credentials}`;
    }
    this.description = {
      api: 'v1',
      url: options.url,
      database: options.database,
      ...(options.retentionPolicy ? { retentionPolicy: options.retentionPolicy } : {}),
    };
    this.name = `influx-v1 ${options.url} ${options.database}/${options.retentionPolicy ?? ''}`;
  }

  async write(lines: string[]): Promise<void> {
    await this.send(lines.join('\n'));
  }

  /** An empty write: 204 only when the database (and retention policy) exist and the credentials hold. */
  async probe(): Promise<void> {
    await probeOutcome(this.send(''));
  }

  async close(): Promise<void> {}

  private async send(body: string): Promise<void> {
    try {
      await this.client.transport.request(this.path, body, {
        method: 'POST',
        headers: this.headers,
        gzipThreshold: this.options.gzipThreshold,
      });
    } catch (error) {
      throw toSinkError(error, 'v1');
    }
  }
}
