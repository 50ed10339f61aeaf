import { describe, expect, it } from 'vitest';
import type { GatewayStatus } from '../src/gateway.js';
import { statusPage } from '../src/status-page.js';

const status = (state: 'confirmed' | 'not_confirmed'): GatewayStatus => ({
  hubId: 'HUB-1',
  running: true,
  connected: false,
  pumps: { 'P<1>': { link: 'up', linkChangedAt: 1, lastSeq: 3, lastReadingAt: 1_700_000_000_000 } },
  outbox: { depth: 42, inFlight: 0, dropped: 0 },
  lastPublishAt: null,
  confirmation: {
    mode: 'server',
    state,
    since: 1_700_000_000_000,
    lastConfirmedAt: 1_699_999_000_000,
    lastWatermarkAt: null,
    serverRun: null,
    episodes: state === 'confirmed' ? 0 : 1,
    resendRounds: 0,
    badWatermarks: 0,
  },
  rejectedReadings: 0,
});

describe('the hub status page', () => {
  it('says first and loudly when monitoring is not confirmed', () => {
    const page = statusPage(status('not_confirmed'));
    expect(page).toContain('role="alert"');
    expect(page).toContain('MONITORING NOT CONFIRMED');
    expect(page).toContain('42 readings');
    expect(page.indexOf('MONITORING NOT CONFIRMED')).toBeLessThan(page.indexOf('<table>'));
  });

  it('says confirmed otherwise, and escapes what it shows', () => {
    const page = statusPage(status('confirmed'));
    expect(page).not.toContain('NOT CONFIRMED');
    expect(page).toContain('Monitoring confirmed');
    expect(page).toContain('P&lt;1&gt;');
    expect(page).not.toContain('P<1>');
  });
});
