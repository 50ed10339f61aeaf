import { type AddressInfo, createServer } from 'node:net';
import { type HubCommitted, hubCommittedSchema, hubCommittedTopic } from '@pumpwatch/protocol';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import pino from 'pino';
import { MemoryWatermarkPublisher } from '../src/confirm/memory-watermark-publisher.js';
import { MqttWatermarkPublisher } from '../src/confirm/mqtt-watermark-publisher.js';
import { startMqttSubscriber } from '../src/ingest/mqtt-subscriber.js';
import { describeWatermarkPublisherContract } from './confirm-contract.js';

const PREFIX = 'pumpwatch/v1';

describeWatermarkPublisherContract('in memory', async () => {
  const publisher = new MemoryWatermarkPublisher();
  return {
    publisher,
    read: async (hubId) => publisher.latest(hubId),
    disconnect: async () => {
      publisher.ready = false;
    },
    close: async () => {},
  };
});

describeWatermarkPublisherContract('MQTT (the server client on a real aedes)', async () => {
  const broker = await Aedes.createBroker();
  const server = createServer((socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = startMqttSubscriber({
    url,
    clientId: `pumpwatch-server-contract-${process.pid}`,
    topicPrefix: PREFIX,
    onMessage: () => {},
    logger: pino({ level: 'silent' }),
  });
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (client.connected()) {
        clearInterval(poll);
        resolve();
      }
    }, 10);
  });
  const publisher = new MqttWatermarkPublisher(PREFIX);
  publisher.attach(client);
  let closed = false;
  return {
    publisher,
    /** A hub's own client subscribing now: the retained message is the first it reads. */
    read: async (hubId) => {
      const hub = await mqtt.connectAsync(url, { clientId: `${hubId}:reader` });
      try {
        const first = new Promise<HubCommitted>((resolve) =>
          hub.on('message', (_topic, payload) =>
            resolve(hubCommittedSchema.parse(JSON.parse(payload.toString()))),
          ),
        );
        await hub.subscribeAsync(hubCommittedTopic(PREFIX, hubId), { qos: 1 });
        const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2000));
        return await Promise.race([first, timeout]);
      } finally {
        await hub.endAsync(true);
      }
    },
    disconnect: async () => {
      closed = true;
      await client.close();
    },
    close: async () => {
      if (!closed) await client.close();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});
