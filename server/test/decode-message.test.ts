import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../src/ingest/decode-message.js';
import { sample } from './fixtures.js';

const prefix = 'pumpwatch/v1';
const telemetry = 'pumpwatch/v1/hubs/hub-1/pumps/pump-1/telemetry';
const bytes = (text: string) => Buffer.from(text);

describe('decodeMessage', () => {
  it('accepts a valid sample and names its hub and pump', () => {
    const decoded = decodeMessage(prefix, telemetry, bytes(JSON.stringify(sample())));
    expect(decoded).toMatchObject({ kind: 'telemetry', hubId: 'hub-1', pumpId: 'pump-1' });
  });

  it('accepts a hub status', () => {
    const decoded = decodeMessage(prefix, 'pumpwatch/v1/hubs/hub-1/status', bytes('{"online":false,"ts":5}'));
    expect(decoded).toMatchObject({ kind: 'hubStatus', hubId: 'hub-1', status: { online: false } });
  });

  it('accepts a pump link state', () => {
    const decoded = decodeMessage(
      prefix,
      'pumpwatch/v1/hubs/hub-1/pumps/pump-1/link',
      bytes('{"state":"down","ts":5}'),
    );
    expect(decoded).toMatchObject({ kind: 'pumpLink', pumpId: 'pump-1', link: { state: 'down' } });
  });

  it('accepts a hub floor, refuses a bad one, and knows its own commit watermarks (issue 15)', () => {
    const floor = { v: 1, ts: 5, epoch: 'E1', pumps: { 'pump-1': 42 } };
    expect(decodeMessage(prefix, 'pumpwatch/v1/hubs/hub-1/floor', bytes(JSON.stringify(floor)))).toEqual({
      kind: 'hubFloor',
      hubId: 'hub-1',
      floor,
    });
    const bad = decodeMessage(
      prefix,
      'pumpwatch/v1/hubs/hub-1/floor',
      bytes('{"v":1,"ts":5,"pumps":{"p":-1}}'),
    );
    expect(bad).toMatchObject({ kind: 'rejected', reason: 'schema_invalid' });
    // The server hears its own retained watermarks through its `#` subscription: not an unknown topic.
    expect(decodeMessage(prefix, 'pumpwatch/v1/hubs/hub-1/committed', bytes('anything'))).toEqual({
      kind: 'ownConfirmation',
    });
  });

  it("keeps a sample's epoch and refuses a malformed one", () => {
    const decoded = decodeMessage(prefix, telemetry, bytes(JSON.stringify(sample({ epoch: 'Xw3_-9' }))));
    expect(decoded).toMatchObject({ kind: 'telemetry', sample: { epoch: 'Xw3_-9' } });
    const bad = decodeMessage(prefix, telemetry, bytes(JSON.stringify({ ...sample(), epoch: 'no spaces' })));
    expect(bad).toMatchObject({ kind: 'rejected', reason: 'schema_invalid' });
  });

  it.each([
    ['payload_too_large', telemetry, bytes(`{"pad":"${'x'.repeat(70_000)}"}`)],
    ['unknown_topic', 'pumpwatch/v1/hubs/hub-1/whatever', bytes('{}')],
    ['reserved_id', 'pumpwatch/v1/hubs/hub-1/pumps/constructor/telemetry', bytes('{}')],
    ['reserved_id', 'pumpwatch/v1/hubs/__proto__/status', bytes('{}')],
    ['invalid_json', telemetry, bytes('{"v":1,')],
    ['invalid_json', telemetry, Buffer.from([0xff, 0xfe, 0x00, 0x01])],
    ['schema_invalid', telemetry, bytes('{"v":1,"seq":"one"}')],
    ['schema_invalid', telemetry, bytes('[]')],
    ['schema_invalid', 'pumpwatch/v1/hubs/hub-1/status', bytes('{"online":"yes","ts":1}')],
    ['schema_invalid', 'pumpwatch/v1/hubs/hub-1/pumps/pump-1/link', bytes('{"state":"sideways","ts":1}')],
  ])('rejects with reason %s', (reason, topic, payload) => {
    expect(decodeMessage(prefix, topic, payload)).toMatchObject({ kind: 'rejected', reason });
  });
});
