/** The benchmark starts Mosquitto with the tests' launcher; only its queue settings are its own. */
export { type RunningMosquitto, startMosquitto } from '@pumpwatch/test/support';

/**
 * Queue settings for a broker in front of one server subscriber. Mosquitto's defaults (20 messages in
 * flight per client, 1,000 queued) capped the server's intake near 15,000 msg/s while it had CPU to
 * spare, and dropped telemetry the hubs had already had acknowledged once the server fell 1,000
 * messages behind (docs/benchmarks.md); the bare relay gets the same settings.
 */
export const BENCH_MOSQUITTO_CONFIG = ['max_inflight_messages 1000', 'max_queued_messages 1000000'].join(
  '\n',
);
