import type { Alert } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import type { AlertTransition } from '../src/alerts/lifecycle.js';
import type { AlertNotification } from '../src/alerts/notifiers/notifier.js';
import { openMemoryStore } from '../src/store/memory/open-memory-store.js';
import type { AlertEvent, AlertStore } from '../src/store/ports.js';
import { sample } from './fixtures.js';
import { testWard } from './support/ward.js';

/** A store whose saves wait for the test: a slow or failing disk. */
class HeldStore implements AlertStore {
  readonly saves: Array<{ event: AlertEvent; settle: (error?: Error) => void }> = [];
  save(_alert: Alert, event: AlertEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.saves.push({ event, settle: (error) => (error ? reject(error) : resolve()) });
    });
  }
  async get(): Promise<Alert | null> {
    return null;
  }
  async unresolved(): Promise<Alert[]> {
    return [];
  }
  async list(): Promise<Alert[]> {
    return [];
  }
  async events(): Promise<AlertEvent[]> {
    return [];
  }
}

function serviceWith(store: AlertStore) {
  const announced: AlertTransition[] = [];
  const notified: AlertNotification[] = [];
  const errors: unknown[] = [];
  const { shell: service, bus } = testWard({
    store: { ...openMemoryStore(), alerts: store },
    tiers: [{ name: 'first on call', webhooks: [] }],
    notifiers: [
      {
        notify: async (notification) => {
          notified.push(notification);
          return [];
        },
      },
    ],
    now: () => 1_000_000,
    onAlertError: (error) => errors.push(error),
  });
  bus.on('alert', 'test', (transition) => announced.push(transition));
  return { service, announced, notified, errors };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('ward shell: announcing, storing and notifying alerts', () => {
  it('announces a raised alert before the store has committed it', async () => {
    const store = new HeldStore();
    const { service, announced, notified } = serviceWith(store);
    service.onSample('hub-1', 'PUMP-1', sample({ alarms: ['air_in_line'], state: 'stopped' }));
    // The save is still waiting for the disk, and the dashboard already has the alert.
    expect(store.saves.map((save) => save.event.type)).toEqual(['raised']);
    expect(announced.map((t) => [t.type, t.alert.rule])).toEqual([['raised', 'air_in_line']]);
    store.saves[0]?.settle();
    await flush();
    expect(notified.map((n) => [n.reason, n.alert.rule])).toEqual([['raised', 'air_in_line']]);
  });

  it('still announces and notifies when the save fails, and reports the failure', async () => {
    const store = new HeldStore();
    const { service, announced, notified, errors } = serviceWith(store);
    service.onSample('hub-1', 'PUMP-1', sample({ alarms: ['occlusion'], pressure_mmHg: 320 }));
    store.saves[0]?.settle(new Error('disk full'));
    await flush();
    expect(announced.map((t) => t.alert.rule)).toEqual(['occlusion_downstream']);
    expect(notified.map((n) => n.alert.rule)).toEqual(['occlusion_downstream']);
    expect(errors.map(String)).toEqual(['Error: disk full']);
  });

  it('answers an acknowledgement only once it is stored, with the store’s error if it fails', async () => {
    const store = new HeldStore();
    const { service, announced } = serviceWith(store);
    service.onSample('hub-1', 'PUMP-1', sample({ alarms: ['air_in_line'], state: 'stopped' }));
    store.saves[0]?.settle();
    const alertId = announced[0]?.alert.id as string;
    const ack = service.acknowledge(alertId, 'Nurse Ida');
    await flush();
    expect(announced.at(-1)?.type).toBe('acknowledged');
    store.saves[1]?.settle(new Error('disk full'));
    await expect(ack).rejects.toThrow('disk full');
  });
});
