import { describe, expect, it } from 'vitest';
import { HTTP_LOGIN_BACKOFF, HttpLoginBackoff } from '../src/auth/login-backoff.js';

function backoffAt(start = 1_000_000) {
  const clock = { now: start };
  return { clock, backoff: new HttpLoginBackoff(() => clock.now) };
}

/** One failed login if it may be tried; the wait (ms) that refused it otherwise. */
function failOnce(backoff: HttpLoginBackoff, address: string, username: string): number {
  const wait = backoff.retryAfterMs(address, username);
  if (wait === 0) backoff.failed(address, username);
  return wait;
}

const free = {
  address: HTTP_LOGIN_BACKOFF.address.freeFailures,
  username: HTTP_LOGIN_BACKOFF.username.freeFailures,
};

describe('HTTP login back-off', () => {
  it('slows a guessed username for strangers only: its user still signs in from her usual device', () => {
    const { clock, backoff } = backoffAt();
    backoff.succeeded('192.0.2.10', 'nell');
    for (let i = 0; i < free.username + 3; i += 1) failOnce(backoff, `198.51.100.${i % 2}`, 'nell');
    // The guessers, and any address nell never signed in from, wait.
    expect(backoff.retryAfterMs('198.51.100.0', 'nell')).toBeGreaterThan(0);
    expect(backoff.retryAfterMs('203.0.113.50', 'nell')).toBeGreaterThan(0);
    // Her own device does not.
    expect(backoff.retryAfterMs('192.0.2.10', 'nell')).toBe(0);
    backoff.succeeded('192.0.2.10', 'nell');
    expect(backoff.retryAfterMs('192.0.2.10', 'nell')).toBe(0);
    // Known for a bounded time only: a month later her address is a stranger's again.
    clock.now += 31 * 24 * 60 * 60_000;
    for (let i = 0; i < free.username + 1; i += 1) failOnce(backoff, `198.51.100.${10 + i}`, 'nell');
    expect(backoff.retryAfterMs('192.0.2.10', 'nell')).toBeGreaterThan(0);
  });

  it('does not let a valid login reset the guesser’s count: only its own username’s failures go', () => {
    const { backoff } = backoffAt();
    // Guesses at many names (under each name's own limit), with a sign-in to the guesser's own
    // account after each one.
    for (let i = 0; i < free.address; i += 1) {
      expect(failOnce(backoff, '203.0.113.9', `victim-${i}`)).toBe(0);
      expect(backoff.retryAfterMs('203.0.113.9', 'mallory')).toBe(0);
      backoff.succeeded('203.0.113.9', 'mallory');
    }
    expect(failOnce(backoff, '203.0.113.9', 'victim-x')).toBe(0);
    expect(backoff.retryAfterMs('203.0.113.9', 'victim-y')).toBeGreaterThan(0);
    // The address's wait holds for its own account too: it is the address that guessed.
    expect(backoff.retryAfterMs('203.0.113.9', 'mallory')).toBeGreaterThan(0);
    // Another address is not affected.
    expect(backoff.retryAfterMs('203.0.113.10', 'victim-y')).toBe(0);
  });

  it("clears a user's own typos from her address when she gets it right", () => {
    const { backoff } = backoffAt();
    // A shared ward PC: one nurse mistypes often, each time then signs in; another guesses nothing.
    for (let round = 0; round < 5; round += 1) {
      for (let i = 0; i < 3; i += 1) expect(failOnce(backoff, '10.1.1.1', 'nell')).toBe(0);
      backoff.succeeded('10.1.1.1', 'nell');
    }
    expect(backoff.retryAfterMs('10.1.1.1', 'nora')).toBe(0);
  });

  it('doubles the address wait up to its bound and forgets a quiet address', () => {
    const { clock, backoff } = backoffAt();
    for (let i = 0; i < free.address; i += 1) failOnce(backoff, '10.0.0.9', `u${i}`);
    expect(backoff.retryAfterMs('10.0.0.9', 'any')).toBe(0);
    failOnce(backoff, '10.0.0.9', 'u-a');
    expect(backoff.retryAfterMs('10.0.0.9', 'any')).toBe(1_000);
    clock.now += 1_000;
    failOnce(backoff, '10.0.0.9', 'u-b');
    expect(backoff.retryAfterMs('10.0.0.9', 'any')).toBe(2_000);
    clock.now += HTTP_LOGIN_BACKOFF.address.forgetAfterMs + 1;
    expect(backoff.retryAfterMs('10.0.0.9', 'any')).toBe(0);
  });

  it('keeps counting a spray of usernames from one address past its per-address table', () => {
    const { backoff } = backoffAt();
    for (let i = 0; i < 200; i += 1) {
      backoff.failed('10.0.0.7', `spray-${i}`);
      // Signing in as a sprayed name clears at most that name's single failure.
      if (i % 10 === 0) backoff.succeeded('10.0.0.7', `spray-${i}`);
    }
    const table = backoff as unknown as {
      addresses: Map<string, { byUsername: Map<string, number>; others: number }>;
    };
    const entry = table.addresses.get('10.0.0.7');
    expect(entry?.byUsername.size).toBeLessThanOrEqual(64);
    expect((entry?.others ?? 0) + [...(entry?.byUsername.values() ?? [])].reduce((a, b) => a + b, 0)).toBe(
      200 - 20,
    );
    expect(backoff.retryAfterMs('10.0.0.7', 'anyone')).toBeGreaterThan(0);
  });

  it('remembers at most 8 addresses per user, the newest', () => {
    const { backoff } = backoffAt();
    for (let i = 0; i < 12; i += 1) backoff.succeeded(`192.0.2.${i}`, 'nell');
    for (let i = 0; i < free.username + 1; i += 1) failOnce(backoff, `198.51.100.${i}`, 'nell');
    expect(backoff.retryAfterMs('192.0.2.11', 'nell')).toBe(0);
    expect(backoff.retryAfterMs('192.0.2.4', 'nell')).toBe(0);
    expect(backoff.retryAfterMs('192.0.2.3', 'nell')).toBeGreaterThan(0);
  });
});
