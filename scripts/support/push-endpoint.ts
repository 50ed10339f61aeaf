import { createServer } from 'node:http';

/** One push request as the endpoint saw it: when its headers arrived (this process's clock). */
export interface PushArrival {
  /** `performance.now()` when the request's headers arrived. */
  at: number;
  /** `Date.now()` at the same moment, to compare with an alert's `raisedAt` (the sample's `ts`). */
  wallAt: number;
  /** The Web Push `Topic` header: the server derives it from the alert id (push-channel.ts). */
  topic: string;
  urgency: string;
}

/**
 * A stand-in for a push service on loopback, for the paging benchmark: it answers every POST 201 (as FCM
 * or autopush do) and records only when each request arrived and its `Topic`, which names the alert
 * without decrypting the body. The arrival is taken at the request's headers, the moment the server's
 * request has left it, so the figure does not include this endpoint reading the body.
 */
export async function startPushEndpoint(onArrival?: (arrival: PushArrival) => void) {
  const arrivals: PushArrival[] = [];
  const server = createServer((request, response) => {
    const arrival: PushArrival = {
      at: performance.now(),
      wallAt: Date.now(),
      topic: String(request.headers.topic ?? ''),
      urgency: String(request.headers.urgency ?? ''),
    };
    arrivals.push(arrival);
    onArrival?.(arrival);
    request.resume();
    request.on('end', () => response.writeHead(201).end());
  });
  // Pages come in bursts from one server: keep its connections open as a push service would.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type PushEndpoint = Awaited<ReturnType<typeof startPushEndpoint>>;
