import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOPIC_PREFIX,
  hubStatusTopic,
  parseTopic,
  pumpLinkTopic,
  telemetryTopic,
} from '../src/index.js';

const prefix = DEFAULT_TOPIC_PREFIX;

describe('topics', () => {
  it('builds the documented topic names', () => {
    expect(hubStatusTopic(prefix, 'hub-1')).toBe('pumpwatch/v1/hubs/hub-1/status');
    expect(telemetryTopic(prefix, 'hub-1', 'SN_42')).toBe('pumpwatch/v1/hubs/hub-1/pumps/SN_42/telemetry');
  });

  it('parses what it builds', () => {
    expect(parseTopic(prefix, telemetryTopic(prefix, 'h', 'p'))).toEqual({
      kind: 'telemetry',
      hubId: 'h',
      pumpId: 'p',
    });
    expect(parseTopic(prefix, hubStatusTopic(prefix, 'h'))).toEqual({ kind: 'hubStatus', hubId: 'h' });
  });

  it('parses a pump link topic', () => {
    expect(parseTopic(prefix, pumpLinkTopic(prefix, 'h', 'p'))).toEqual({
      kind: 'pumpLink',
      hubId: 'h',
      pumpId: 'p',
    });
  });

  it('honours a custom prefix', () => {
    expect(parseTopic('site/a', 'site/a/hubs/h/status')).toEqual({ kind: 'hubStatus', hubId: 'h' });
    expect(parseTopic('site/a', 'pumpwatch/v1/hubs/h/status').kind).toBe('unknown');
  });

  it.each([
    'pumpwatch/v1/hubs/h/pumps/p/telemetry/extra',
    'pumpwatch/v1/hubs/h/pumps/p',
    'pumpwatch/v1/hubs/h/unknown',
    'pumpwatch/v1/hubs/bad id/status',
    `pumpwatch/v1/hubs/${'x'.repeat(65)}/status`,
    'pumpwatch/v1/other',
    'elsewhere/hubs/h/status',
  ])('treats %s as unknown', (topic) => {
    expect(parseTopic(prefix, topic).kind).toBe('unknown');
  });
});
