import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOPIC_PREFIX,
  hubStatusTopic,
  idSchema,
  isValidId,
  parseTopic,
  pumpLinkTopic,
  RESERVED_IDS,
  telemetryTopic,
} from '../src/index.js';

/** Every name a plain object answers to that the id pattern would otherwise accept. */
const reservedNames = [...RESERVED_IDS].filter((name) => /^[A-Za-z0-9_-]{1,64}$/.test(name));

describe('reserved ids', () => {
  it('covers every Object.prototype member and __proto__', () => {
    for (const name of Object.getOwnPropertyNames(Object.prototype))
      expect(RESERVED_IDS.has(name)).toBe(true);
    expect(reservedNames).toEqual(
      expect.arrayContaining(['constructor', '__proto__', 'toString', 'valueOf']),
    );
  });

  it.each(reservedNames)('refuses %s as an id, in the schema and on every topic', (name) => {
    expect(isValidId(name)).toBe(false);
    const parsed = idSchema.safeParse(name);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/reserved/);
    const prefix = DEFAULT_TOPIC_PREFIX;
    for (const topic of [
      hubStatusTopic(prefix, name),
      telemetryTopic(prefix, name, 'p1'),
      telemetryTopic(prefix, 'h1', name),
      pumpLinkTopic(prefix, 'h1', name),
    ]) {
      expect(parseTopic(prefix, topic)).toEqual({ kind: 'reserved', id: name });
    }
  });

  it('still accepts ids that only resemble reserved names', () => {
    for (const id of ['Constructor', 'constructor-1', 'proto', 'to_string']) expect(isValidId(id)).toBe(true);
  });
});
