import { describe, expect, it } from 'vitest';
import { addressKey, defaultLoginThrottle, LoginThrottle } from '../src/broker/login-throttle.js';

function throttleAt(start = 1_000_000) {
  const clock = { now: start };
  return { clock, throttle: new LoginThrottle(() => clock.now) };
}

/** One failed login (begin + end), or the verdict that refused it unchecked. */
function failOnce(throttle: LoginThrottle, address: string, username: string) {
  const verdict = throttle.begin(address, username);
  if (verdict === 'go') throttle.end(address, username, false);
  return verdict;
}

describe('MQTT login back-off', () => {
  it('refuses an address after 5 failures, for a period that doubles each time', () => {
    const { clock, throttle } = throttleAt();
    for (let i = 0; i < 5; i += 1) expect(failOnce(throttle, '10.0.0.9', `hub-${i}`)).toBe('go');
    expect(throttle.begin('10.0.0.9', 'hub-x')).toBe('address');
    clock.now += 1_001;
    for (let i = 0; i < 5; i += 1) expect(failOnce(throttle, '10.0.0.9', `hub-${i}`)).toBe('go');
    clock.now += 1_001;
    expect(throttle.begin('10.0.0.9', 'hub-x')).toBe('address');
    clock.now += 1_000;
    expect(throttle.begin('10.0.0.9', 'hub-x')).toBe('go');
  });

  it('counts logins still being checked, so a parallel burst gets 5 password checks, not 200', () => {
    const { throttle } = throttleAt();
    const verdicts = Array.from({ length: 200 }, () => throttle.begin('10.0.0.9', 'hub-a'));
    expect(verdicts.filter((verdict) => verdict === 'go')).toHaveLength(defaultLoginThrottle.addressFailures);
  });

  it('does not let one valid login clear the guesses an address made at other hubs', () => {
    const { throttle } = throttleAt();
    for (let i = 0; i < 4; i += 1) failOnce(throttle, '10.0.0.9', 'hub-b');
    expect(throttle.begin('10.0.0.9', 'hub-a')).toBe('go');
    throttle.end('10.0.0.9', 'hub-a', true);
    expect(failOnce(throttle, '10.0.0.9', 'hub-b')).toBe('go');
    expect(throttle.begin('10.0.0.9', 'hub-b')).toBe('address');
  });

  it('slows a username guessed from many addresses for strangers only: its hub still logs in from home', () => {
    const { clock, throttle } = throttleAt();
    expect(throttle.begin('192.0.2.1', 'hub-a')).toBe('go');
    throttle.end('192.0.2.1', 'hub-a', true);
    for (let i = 0; i < defaultLoginThrottle.usernameFailures; i += 1)
      expect(failOnce(throttle, `198.51.100.${i}`, 'hub-a')).toBe('go');
    expect(throttle.begin('198.51.100.200', 'hub-a')).toBe('username');
    expect(throttle.begin('192.0.2.1', 'hub-a')).toBe('go');
    throttle.end('192.0.2.1', 'hub-a', true);
    // Not locked for good: a hub on a new address waits out the period.
    clock.now += defaultLoginThrottle.baseBlockMs + 1;
    expect(throttle.begin('198.51.100.200', 'hub-a')).toBe('go');
  });

  it('forgets a quiet address, and keeps at most maxEntries of them', () => {
    const clock = { now: 0 };
    const throttle = new LoginThrottle(() => clock.now, { ...defaultLoginThrottle, maxEntries: 3 });
    for (let i = 0; i < 5; i += 1) failOnce(throttle, '10.0.0.1', 'hub-a');
    expect(throttle.begin('10.0.0.1', 'hub-a')).toBe('address');
    clock.now += defaultLoginThrottle.maxAddressBlockMs + 1;
    expect(throttle.begin('10.0.0.1', 'hub-a')).toBe('go');
    const sizes = throttle as unknown as { addresses: Map<string, unknown> };
    for (let i = 0; i < 10; i += 1) failOnce(throttle, `10.0.1.${i}`, 'hub-a');
    expect(sizes.addresses.size).toBeLessThanOrEqual(3);
  });

  it('keys IPv4 (also mapped) by address and IPv6 by its /64', () => {
    expect(addressKey('127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });
});
