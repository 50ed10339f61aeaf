/**
 * The embedded broker (aedes, exactly as the server starts it) alone in its own process, for the bare
 * relay measurement: forked by the benchmark, it reports `{type: 'ready', url}` and stops on `stop` or
 * when the parent goes away.
 */
import { startEmbeddedBroker } from '@pumpwatch/server';

const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
process.send?.({ type: 'ready', url: broker.url });
const stop = async () => {
  await broker.close().catch(() => {});
  process.exit(0);
};
process.on('message', (message: { type: string }) => {
  if (message.type === 'stop') void stop();
});
process.on('disconnect', () => void stop());
