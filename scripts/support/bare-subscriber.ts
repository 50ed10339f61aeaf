/**
 * The bare relay's consumer: subscribes to everything under the prefix at QoS 1 with the same MQTT client
 * as the server (mqtt.js) and only parses each payload as JSON. Forked by the benchmark; reports
 * `{type: 'count', received, parsed}` when asked with `{type: 'count'}`.
 */
import { DEFAULT_TOPIC_PREFIX, serverSubscriptions } from '@pumpwatch/protocol';
import mqtt from 'mqtt';

const url = process.argv[2] as string;
let received = 0;
let parsed = 0;
const client = await mqtt.connectAsync(url, {
  clientId: `pumpwatch-bare-${process.pid}`,
  reconnectPeriod: 1000,
});
await client.subscribeAsync(serverSubscriptions(DEFAULT_TOPIC_PREFIX), { qos: 1 });
client.on('message', (topic, payload) => {
  // Count telemetry only, as the server's `ingest.accepted` does (not retained status and link messages).
  if (topic.endsWith('/telemetry')) received += 1;
  const value = JSON.parse(payload.toString('utf8')) as { v?: number };
  if (value !== null) parsed += 1;
});
process.send?.({ type: 'ready' });
process.on('message', (message: { type: string }) => {
  if (message.type === 'count') process.send?.({ type: 'count', received, parsed });
  if (message.type === 'stop') void client.endAsync(true).then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
