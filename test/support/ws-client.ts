import { type ServerFrame, serverFrameSchema } from '@pumpwatch/protocol';
import WebSocket from 'ws';
import { waitFor } from './wait.js';

/** A `/ws` client that parses every frame with the protocol schema and keeps them for assertions. */
export class FrameRecorder {
  readonly frames: ServerFrame[] = [];
  invalidFrames = 0;
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const parsed = serverFrameSchema.safeParse(JSON.parse(String(data)));
      if (parsed.success) this.frames.push(parsed.data);
      else this.invalidFrames += 1;
    });
  }

  /** Resolves once the connection is open and its first frame, the snapshot, has arrived. */
  static async connect(httpUrl: string): Promise<FrameRecorder> {
    const socket = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/ws`);
    const recorder = new FrameRecorder(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await waitFor(() => recorder.frames.length > 0, { timeoutMs: 10_000, what: 'the snapshot frame' });
    return recorder;
  }

  waitForFrame<T extends ServerFrame>(
    predicate: (frame: ServerFrame) => frame is T,
    options: { timeoutMs?: number; what?: string } = {},
  ): Promise<T> {
    return waitFor(() => this.frames.find(predicate), { timeoutMs: 30_000, ...options });
  }

  close(): void {
    this.socket.terminate();
  }
}
