import { Duplex } from 'node:stream';

/** One end of an in-memory connection: what it writes, the other end reads. */
class PairEnd extends Duplex {
  other: PairEnd | undefined;
  /** A write the other end had no room for; released when it reads again (back-pressure). */
  private heldWrite: (() => void) | undefined;

  override _read(): void {
    const held = this.other?.heldWrite;
    if (!held || !this.other) return;
    this.other.heldWrite = undefined;
    held();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const other = this.other;
    if (!other || other.destroyed) callback(new Error('the other end is closed'));
    else if (other.push(chunk)) callback();
    else this.heldWrite = () => callback();
  }

  /** A corked packet's chunks (mqtt-packet writes a packet in several) reach the other end as one. */
  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    this._write(Buffer.concat(chunks.map(({ chunk }) => chunk)), 'binary', callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.other?.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.heldWrite = undefined;
    if (this.other && !this.other.destroyed) this.other.destroy();
    callback(error);
  }
}

/**
 * Two connected duplex streams in memory (Node 22 has `stream.duplexPair`; this server runs on 20). The
 * server's own MQTT client talks to the embedded broker through one: no listener, no socket, nothing to
 * reach from outside, and its password never crosses a network (issue #11).
 */
export function duplexPair(): [Duplex, Duplex] {
  const left = new PairEnd();
  const right = new PairEnd();
  left.other = right;
  right.other = left;
  return [left, right];
}
