import { describe, expect, it } from 'vitest';
import { connectivityOf, pumpCardView } from '../src/view.js';
import { alert, pump } from './fixtures.js';

/**
 * Issue 13, defect (b): a pump badge said "Online" beside a "Hub offline" chip, and cards said "Online"
 * while the console said "Not live". A pump never looks online behind an offline hub or on stale data.
 */

const NOW = 1_000_000;
const hubOffline = alert({ id: 'h1', rule: 'hub_offline', priority: 'medium' });

describe('pump connectivity on the card', () => {
  it('a live console and a reporting pump on an online hub: Online', () => {
    const v = pumpCardView(pump(), [], NOW, 12.5, { live: true });
    expect(v).toMatchObject({ online: true, connectivity: 'Online', connectivityState: 'online' });
    expect(v.stateLabel).toBe('Infusing');
  });

  it('hubOnline false is "Hub offline" even when the server still says online: true', () => {
    const v = pumpCardView(pump({ online: true, hubOnline: false }), [], NOW, 12.5);
    expect(v).toMatchObject({ online: false, connectivity: 'Hub offline', connectivityState: 'hub-offline' });
    expect(v.stateLabel).toBe('Last known: Infusing');
    expect(v.deliveredText).toBe('—');
  });

  it('an open hub_offline alert wins over a pump view that has not caught up', () => {
    const v = pumpCardView(pump(), [hubOffline], NOW);
    expect(v.online).toBe(false);
    expect(v.connectivity).toBe('Hub offline');
    // Its condition has ended (latched, waiting for acknowledgement): no longer evidence of an outage.
    expect(pumpCardView(pump(), [{ ...hubOffline, latched: true }], NOW).online).toBe(true);
    expect(connectivityOf(pump(), [alert({ rule: 'pump_offline' })], true)).toBe('offline');
  });

  it('nothing looks online while the console is not live', () => {
    const v = pumpCardView(pump(), [], NOW, 12.5, { live: false });
    expect(v).toMatchObject({
      online: false,
      connectivity: 'Unknown: console not live',
      connectivityState: 'stale',
      stateLabel: 'Last known: Infusing',
    });
  });
});
