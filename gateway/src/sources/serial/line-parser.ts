import type { TransformCallback } from 'node:stream';
import { DelimiterParser } from 'serialport';
import { MAX_FRAME_BYTES } from './serial-frame.js';

/**
 * serialport's DelimiterParser split on LF, with a bound: the stock parser buffers until it sees a
 * delimiter, so a wrong baud rate or a babbling device without line ends would grow it without limit.
 * Past `maxBytes` the partial line is dropped, everything up to the next LF is skipped, and one
 * `overlong` event is emitted for it.
 */
export class BoundedLineParser extends DelimiterParser {
  private discarding = false;

  constructor(private readonly maxBytes = MAX_FRAME_BYTES) {
    super({ delimiter: '\n', includeDelimiter: false });
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    let data = chunk;
    if (this.discarding) {
      const lineEnd = data.indexOf(0x0a);
      if (lineEnd === -1) {
        callback();
        return;
      }
      data = data.subarray(lineEnd + 1);
      this.discarding = false;
    }
    super._transform(data, encoding, (error) => {
      if (this.buffer.length > this.maxBytes) {
        this.buffer = Buffer.alloc(0);
        this.discarding = true;
        this.emit('overlong');
      }
      callback(error);
    });
  }
}
