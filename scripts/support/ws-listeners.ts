/**
 * Dashboards for `npm run bench:frames`: `count` WebSocket clients on one `/ws` URL that parse every
 * frame (as the dashboard does) and count the pump updates in it. Forked, so their CPU is not the
 * server's. Reports `{type: 'count', updates, frames}` when asked with `{type: 'count'}`.
 */
import WebSocket from 'ws';

const [url, countArg] = process.argv.slice(2) as [string, string];
let updates = 0;
let frames = 0;
const sockets = await Promise.all(
  Array.from({ length: Number(countArg) }, async () => {
    const socket = new WebSocket(url);
    socket.on('message', (data) => {
      frames += 1;
      const frame = JSON.parse(String(data)) as { type: string; pumps?: unknown[] };
      if (frame.type === 'pumps') updates += frame.pumps?.length ?? 0;
    });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return socket;
  }),
);
process.send?.({ type: 'ready' });
process.on('message', (message: { type: string }) => {
  if (message.type === 'count') process.send?.({ type: 'count', updates, frames });
  if (message.type === 'stop') {
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
