import {
  type Alert,
  ID_PATTERN,
  isValidId,
  type StoredOrder,
  type TelemetrySample,
} from '@pumpwatch/protocol';
import { describe, expect, it, vi } from 'vitest';
import { defaultEngineParams, resolveParams } from '../src/alerts/engine/params.js';
import { EngineCore } from '../src/alerts/engine-core.js';
import { type AlertTransition, defaultEscalationPolicy } from '../src/alerts/lifecycle.js';
import type { ErrorSink } from '../src/guard.js';
import type {
  AlertEvent,
  AlertStore,
  SampleStore,
  StoredPumpParams,
  StoredSample,
} from '../src/store/ports.js';
import { Quarantine } from '../src/store/quarantine.js';
import type { WardShell } from '../src/ward/ward-shell.js';
import { sample } from './fixtures.js';
import { testWard } from './support/ward.js';

/**
 * Issue #11: a pump named `constructor` reached a per-pump lookup on a plain object and crashed the
 * server on every start. Protocol now refuses such ids at the boundary; these tests go around that
 * check, as a record from an older data directory or a config file would, and run every such name
 * through the engine and the ward (core, shell and registry).
 */
const RESERVED = [
  ...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__', 'prototype']),
].filter((name) => ID_PATTERN.test(name));

const T0 = 1_000_000;

class MemoryAlertStore implements AlertStore {
  readonly alerts = new Map<string, Alert>();
  constructor(private readonly stored: Alert[] = []) {}
  async save(alert: Alert, _event: AlertEvent): Promise<void> {
    this.alerts.set(alert.id, alert);
  }
  async get(alertId: string): Promise<Alert | null> {
    return this.alerts.get(alertId) ?? null;
  }
  async unresolved(): Promise<Alert[]> {
    return this.stored;
  }
  async list(): Promise<Alert[]> {
    return [...this.alerts.values()];
  }
  async events(): Promise<AlertEvent[]> {
    return [];
  }
}

function memorySamples(latest: StoredSample[] = []): SampleStore & { appended: StoredSample[] } {
  const appended: StoredSample[] = [];
  return {
    appended,
    append: (row) => appended.push(row),
    flush: async () => undefined,
    committed: async () => undefined,
    query: async () => [],
    buckets: async () => [],
    latestPerPump: async () => latest,
    recentSeqs: async () => latest.map((row) => ({ pumpId: row.pumpId, seq: row.sample.seq })),
    prune: async () => 0,
  };
}

const occluded = (seq: number, ts = T0): TelemetrySample =>
  sample({ seq, ts, pressure_mmHg: 320, occlusionLimit_mmHg: 300, alarms: ['occlusion'] });

const order = (pumpId: string): StoredOrder => ({
  pumpId,
  drug: 'saline',
  rate_mL_h: 10,
  vtbi_mL: 100,
  tolerance_pct: 10,
  updatedAt: T0,
  updatedBy: 'Dr Who',
});

const raisedRules = (transitions: AlertTransition[]) =>
  transitions.filter((t) => t.type === 'raised').map((t) => t.alert.rule);

/** Orders and rule settings as a store returns them at start; what is put is kept too. */
function documents<T extends { pumpId: string }>(initial: T[] = []) {
  const byPump = new Map(initial.map((doc) => [doc.pumpId, doc]));
  return {
    put: async (doc: T) => {
      byPump.set(doc.pumpId, doc);
    },
    delete: async (pumpId: string) => byPump.delete(pumpId),
    all: async () => [...byPump.values()],
  };
}

function wardOn(
  stores: {
    alerts?: AlertStore;
    samples?: SampleStore;
    orders?: StoredOrder[];
    settings?: StoredPumpParams[];
  },
  now: () => number,
  errors: unknown[],
  pumpParams?: Record<string, object>,
  onError?: ErrorSink,
) {
  return testWard({
    store: {
      alerts: stores.alerts ?? new MemoryAlertStore(),
      samples: stores.samples ?? memorySamples(),
      orders: documents(stores.orders),
      pumpParams: documents(stores.settings),
    },
    ...(pumpParams ? { params: defaultEngineParams, pumpParams } : {}),
    tiers: [{ name: 'first on call', webhooks: [] }],
    now,
    onError: onError ?? ((_owner, error) => errors.push(error)),
    onAlertError: (error) => errors.push(error),
  });
}

const openRules = (shell: WardShell, pumpId: string) => shell.view(pumpId)?.alerts.map((a) => a.rule) ?? [];

describe('ids that are Object.prototype names, past the protocol check', () => {
  it('covers constructor, __proto__, toString, hasOwnProperty and valueOf', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'])
      expect(RESERVED).toContain(name);
  });

  describe.each(RESERVED)('EngineCore with pump and hub %s', (name) => {
    it('raises occlusion, pump_offline and order_mismatch and takes its own rule settings', () => {
      // engine.pumps as the config gives it: a plain object (here with the pump's own key and another).
      const pumpParams = JSON.parse(
        `{"OTHER": {"battery": {"lowPct": 30}}, ${JSON.stringify(name)}: {"occlusion": {"defaultLimit_mmHg": 200}}}`,
      );
      const core = new EngineCore({
        params: defaultEngineParams,
        pumpParams,
        policy: defaultEscalationPolicy,
      });
      expect(core.paramsOf(name).occlusion.defaultLimit_mmHg).toBe(200);
      const unnamed = new EngineCore({
        params: defaultEngineParams,
        pumpParams: { OTHER: {} },
        policy: defaultEscalationPolicy,
      });
      expect(unnamed.paramsOf(name)).toEqual(resolveParams(defaultEngineParams));

      const raised = core.onSample(name, name, occluded(1), T0);
      for (const t of raised) core.apply(t.alert);
      expect(raisedRules(raised)).toContain('occlusion_downstream');
      expect([...core.openAlertsOf(name)].map((a) => a.pumpId)).toEqual([name]);

      core.setOrder(name, order(name));
      expect(core.order(name)?.pumpId).toBe(name);
      const mismatch = core.onSample(name, name, occluded(2, T0 + 1000), T0 + 1000);
      expect(raisedRules(mismatch)).toContain('order_mismatch');

      const offline = core.checkLiveness(
        name,
        name,
        { latest: occluded(2), lastSeen: T0, hub: { online: true, lastHeardAt: T0 + 600_000 } },
        T0 + 600_000,
      );
      expect(raisedRules(offline)).toContain('pump_offline');

      core.setPumpParams(name, { occlusion: { defaultLimit_mmHg: 150 } });
      expect(core.paramsOf(name).occlusion.defaultLimit_mmHg).toBe(150);
      expect(core.pumpOverride(name)).toEqual({ occlusion: { defaultLimit_mmHg: 150 } });
      core.setPumpParams(name, null);
      expect(core.paramsOf(name).occlusion.defaultLimit_mmHg).toBe(200);
      expect(() => core.escalations(T0 + 3_600_000)).not.toThrow();
    });
  });

  it('refuses a rule setting with a __proto__ key by its path instead of swapping the prototype', () => {
    const core = new EngineCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });
    const override = JSON.parse('{"__proto__": {"occlusion": {"defaultLimit_mmHg": 1}}}');
    expect(() => core.setPumpParams('PUMP-1', override)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    const nested = JSON.parse('{"occlusion": {"__proto__": {"defaultLimit_mmHg": 1}}}');
    expect(() => core.setPumpParams('PUMP-1', nested)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(core.paramsOf('PUMP-1').occlusion.defaultLimit_mmHg).toBe(300);
  });

  it('maps an alarm flag named constructor to the unknown-flag priority, not to Object', () => {
    const core = new EngineCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });
    const raised = core.onSample('HUB-1', 'PUMP-1', sample({ alarms: ['constructor'] }), T0);
    const alarm = raised.find((t) => t.alert.rule === 'pump_alarm');
    expect(alarm?.alert.priority).toBe(defaultEngineParams.pumpAlarm.unknownPriority);
  });

  describe.each(RESERVED)('the ward with pump and hub %s', (name) => {
    it('raises, acknowledges, snoozes, keeps orders and settings, ticks, and restores them', async () => {
      let now = T0;
      const alerts = new MemoryAlertStore();
      const samples = memorySamples();
      const errors: unknown[] = [];
      const { shell } = wardOn(
        { alerts, samples },
        () => now,
        errors,
        JSON.parse(`{${JSON.stringify(name)}: {}}`),
      );
      await shell.setOrder(order(name));
      await shell.setPumpParams({ pumpId: name, overrides: {}, updatedAt: T0, updatedBy: 'admin' });
      expect(shell.order(name)?.drug).toBe('saline');
      shell.onHubStatus(name, { online: true, ts: T0 });
      expect(shell.onSample(name, name, occluded(1))).toBeUndefined();
      expect(shell.onPumpLink(name, name, { state: 'up', ts: T0 })).toBeUndefined();
      const rules = openRules(shell, name);
      expect(rules).toEqual(expect.arrayContaining(['occlusion_downstream', 'order_mismatch']));
      const occlusion = shell.view(name)?.alerts.find((a) => a.rule === 'occlusion_downstream') as Alert;
      await shell.snooze(occlusion.id, 'Nurse Ida', 60_000);
      expect((await shell.acknowledge(occlusion.id, 'Nurse Ida')).status).toBe('acknowledged');
      shell.tick();
      now += 600_000;
      shell.onHubStatus(name, { online: true, ts: now });
      shell.tick();
      expect(openRules(shell, name)).toContain('pump_offline');
      await shell.setPumpParams({
        pumpId: name,
        overrides: { battery: { lowPct: 40 } },
        updatedAt: now,
        updatedBy: 'admin',
      });
      expect(shell.pumpParams(name).effective.battery.lowPct).toBe(40);
      expect(shell.pumpParams(name).setting?.pumpId).toBe(name);
      expect(await shell.deleteOrder(name)).toBe(true);
      expect(shell.order(name)).toBeNull();
      expect(shell.snapshot().type).toBe('snapshot');
      expect(shell.views().map((v) => v.pumpId)).toEqual([name]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(errors).toEqual([]);
      expect([...alerts.alerts.values()].every((a) => a.pumpId === name)).toBe(true);

      // Restored into a fresh ward (the restart that used to crash): the protocol schemas refuse the name
      // now, so its records are quarantined, and the ward starts.
      const unresolved = [...alerts.alerts.values()].filter((a) => a.status !== 'resolved');
      const setting = { pumpId: name, overrides: {}, updatedAt: T0, updatedBy: 'admin' };
      const again = wardOn(
        {
          alerts: new MemoryAlertStore(unresolved),
          samples: memorySamples(samples.appended),
          orders: [order(name)],
          settings: [setting],
        },
        () => now,
        errors,
      );
      const quarantine = new Quarantine();
      const restored = await again.shell.restore(quarantine);
      expect(restored.openAlerts + quarantine.snapshot().alerts).toBe(unresolved.length);
      const expected = isValidId(name) ? 0 : 1;
      expect(quarantine.snapshot()).toMatchObject({ orders: expected, params: expected, samples: expected });
      if (isValidId(name)) expect(again.shell.view(name)?.latest?.seq).toBe(1);
      expect(again.shell.onSample(name, name, occluded(5))).toBeUndefined();
      expect(openRules(again.shell, name)).toContain('occlusion_downstream');
      again.shell.tick();
    });
  });
});

describe('containment', () => {
  it('one pump whose liveness check throws does not stop the others in the same tick', () => {
    let now = T0;
    const failures: Array<{ owner: string; pumpId: unknown }> = [];
    const { shell } = wardOn(
      {},
      () => now,
      [],
      undefined,
      (owner, _error, context) => failures.push({ owner, pumpId: context?.pumpId }),
    );
    for (const pumpId of ['PUMP-A', 'PUMP-BAD', 'PUMP-C']) shell.onSample('HUB-1', pumpId, sample());
    const original = EngineCore.prototype.checkLiveness;
    const spy = vi.spyOn(EngineCore.prototype, 'checkLiveness').mockImplementation(function (
      this: EngineCore,
      hubId,
      pumpId,
      input,
      at,
    ) {
      if (pumpId === 'PUMP-BAD') throw new Error('poisoned pump');
      return original.call(this, hubId, pumpId, input, at);
    });
    try {
      now += 600_000;
      expect(() => shell.tick()).not.toThrow();
    } finally {
      spy.mockRestore();
    }
    expect(failures).toEqual([{ owner: 'ward/liveness-pump', pumpId: 'PUMP-BAD' }]);
    for (const pumpId of ['PUMP-A', 'PUMP-C']) expect(openRules(shell, pumpId)).toContain('pump_offline');
  });

  it('an escalation tick that throws does not stop the liveness check', () => {
    let now = T0;
    const owners: string[] = [];
    const { shell } = wardOn(
      {},
      () => now,
      [],
      undefined,
      (owner) => owners.push(owner),
    );
    shell.onSample('HUB-1', 'PUMP-A', sample());
    const spy = vi.spyOn(EngineCore.prototype, 'escalations').mockImplementation(() => {
      throw new Error('escalation broke');
    });
    try {
      now += 600_000;
      shell.tick();
    } finally {
      spy.mockRestore();
    }
    expect(owners).toEqual(['ward/escalation']);
    expect(openRules(shell, 'PUMP-A')).toContain('pump_offline');
  });

  it('quarantines a stored sample, order and alert that fail their schemas, and restores the rest', async () => {
    const now = T0;
    const good: StoredSample = { hubId: 'HUB-1', pumpId: 'PUMP-1', receivedAt: T0, sample: occluded(1) };
    const bad: StoredSample = { hubId: 'HUB-1', pumpId: 'bad id!', receivedAt: T0, sample: occluded(1) };
    const garbled = {
      ...good,
      pumpId: 'PUMP-2',
      sample: { ...occluded(1), state: 'exploded' },
    } as unknown as StoredSample;
    const badAlert = { id: 'x', pumpId: 'PUMP-1' } as unknown as Alert;
    const { shell } = wardOn(
      {
        alerts: new MemoryAlertStore([badAlert]),
        samples: memorySamples([good, bad, garbled]),
        orders: [order('PUMP-1'), { ...order('PUMP-2'), rate_mL_h: -1 }],
      },
      () => now,
      [],
    );
    const quarantine = new Quarantine();
    await shell.restore(quarantine);
    expect(quarantine.snapshot()).toEqual({ samples: 2, alerts: 1, orders: 1, params: 0, care: 0 });
    expect(shell.views().map((p) => p.pumpId)).toEqual(['PUMP-1']);
    expect(shell.order('PUMP-1')).not.toBeNull();
    expect(shell.order('PUMP-2')).toBeNull();
  });
});
