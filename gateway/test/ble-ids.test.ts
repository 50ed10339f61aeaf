import {
  AnnunciationStatus,
  AnnunciationType,
  encodeIddAnnunciationStatus,
  encodeIddStatus,
  encodeIddStatusChanged,
  encodeInfusionTelemetry,
  encodeSfloat,
  OperationalState,
  TherapyControlState,
} from '@pumpwatch/simulators/ble';
import { describe, expect, it } from 'vitest';
import {
  annunciationFlag,
  decodeBatteryLevel,
  decodeIddAnnunciationStatus,
  decodeIddStatus,
  decodeIddStatusChanged,
  decodeInfusionTelemetry,
  decodeSfloat,
} from '../src/sources/ble/ids-decode.js';
import { alarmFlagsOf, applyAnnunciation, idsSample, pumpStateOf } from '../src/sources/ble/ids-state.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

/**
 * Byte fixtures for every annunciation type docs/clinical-reference.md#ble-profile names, written out by hand from IDS 1.0.2:
 * flags 0x01 (annunciation present), instance id u16, type u16, status 0x33 (pending).
 */
const alarmsMdFixtures: Array<[name: string, bytes: string, flag: string]> = [
  ['OCCLUSION_DETECTED 0x003C', '01 0100 3c00 33', 'occlusion'],
  ['RESERVOIR_EMPTY 0x005A', '01 0200 5a00 33', 'reservoir_empty'],
  ['RESERVOIR_LOW 0x0066', '01 0300 6600 33', 'reservoir_low'],
  ['INFUSION_SET_DETACHED 0x0099', '01 0400 9900 33', 'set_detached'],
  ['BATTERY_EMPTY 0x00AA', '01 0500 aa00 33', 'battery_empty'],
  ['BATTERY_LOW 0x00C3', '01 0600 c300 33', 'battery_low'],
  ['TEMPERATURE_OUT_OF_RANGE 0x00FF', '01 0700 ff00 33', 'temperature'],
];

/** The flag each IDS annunciation type maps to (null: information only, no alarm). */
const allTypes: Record<keyof typeof AnnunciationType, string | null> = {
  SYSTEM_ISSUE: 'malfunction',
  MECHANICAL_ISSUE: 'malfunction',
  OCCLUSION_DETECTED: 'occlusion',
  RESERVOIR_ISSUE: 'reservoir_issue',
  RESERVOIR_EMPTY: 'reservoir_empty',
  RESERVOIR_LOW: 'reservoir_low',
  PRIMING_ISSUE: 'priming_issue',
  INFUSION_SET_INCOMPLETE: 'set_incomplete',
  INFUSION_SET_DETACHED: 'set_detached',
  POWER_SOURCE_INSUFFICIENT: 'power_insufficient',
  BATTERY_EMPTY: 'battery_empty',
  BATTERY_LOW: 'battery_low',
  BATTERY_MEDIUM: null,
  BATTERY_FULL: null,
  TEMPERATURE_OUT_OF_RANGE: 'temperature',
  AIR_PRESSURE_OUT_OF_RANGE: 'air_pressure',
  BOLUS_CANCELED: 'bolus_canceled',
  TBR_OVER: 'tbr_over',
  TBR_CANCELED: 'tbr_canceled',
  MAX_DELIVERY: 'max_delivery',
  DATE_TIME_ISSUE: 'date_time_issue',
  TEMPERATURE: null,
};

describe('IDD Annunciation Status (0x2B22)', () => {
  it.each(alarmsMdFixtures)('decodes %s to its alarm flag', (_name, bytes, flag) => {
    const decoded = decodeIddAnnunciationStatus(hex(bytes));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok || !decoded.value) throw new Error('no annunciation');
    expect(decoded.value.status).toBe('pending');
    expect(annunciationFlag(decoded.value.type)).toBe(flag);
    const active = applyAnnunciation(new Map(), decoded.value);
    expect(alarmFlagsOf(active)).toEqual([flag]);
  });

  it.each(Object.entries(allTypes))('maps every IDS type: %s', (name, flag) => {
    const type = AnnunciationType[name as keyof typeof AnnunciationType];
    const value = encodeIddAnnunciationStatus({ instanceId: 9, type, status: AnnunciationStatus.pending });
    const decoded = decodeIddAnnunciationStatus(value);
    expect(decoded).toMatchObject({
      ok: true,
      value: { instanceId: 9, type, status: 'pending', auxInfo: [] },
    });
    expect(annunciationFlag(type)).toBe(flag);
  });

  it('keeps an unknown type as a flag named by its code, so it reaches pump_alarm', () => {
    const decoded = decodeIddAnnunciationStatus(hex('01 0a00 3412 33'));
    expect(decoded.ok && decoded.value && annunciationFlag(decoded.value.type)).toBe('ids_0x1234');
  });

  it('reads AuxInfo words, snoozed and confirmed status, and "no annunciation"', () => {
    expect(decodeIddAnnunciationStatus(hex('07 0b00 3c00 3c 2c01 0500'))).toEqual({
      ok: true,
      value: { instanceId: 11, type: 0x3c, status: 'snoozed', auxInfo: [300, 5] },
    });
    expect(decodeIddAnnunciationStatus(hex('01 0b00 3c00 55'))).toMatchObject({
      value: { status: 'confirmed' },
    });
    expect(decodeIddAnnunciationStatus(hex('00'))).toEqual({ ok: true, value: null });
  });

  it('tracks the active set by instance: snoozed stays, confirmed leaves, none clears', () => {
    const occlusion = { instanceId: 1, type: 0x3c, auxInfo: [] };
    const battery = { instanceId: 2, type: 0xc3, auxInfo: [] };
    let active = applyAnnunciation(new Map(), { ...occlusion, status: 'pending' });
    active = applyAnnunciation(active, { ...battery, status: 'pending' });
    expect(alarmFlagsOf(active)).toEqual(['battery_low', 'occlusion']);
    active = applyAnnunciation(active, { ...occlusion, status: 'snoozed' });
    expect(alarmFlagsOf(active)).toEqual(['battery_low', 'occlusion']);
    active = applyAnnunciation(active, { ...occlusion, status: 'confirmed' });
    expect(alarmFlagsOf(active)).toEqual(['battery_low']);
    expect(alarmFlagsOf(applyAnnunciation(active, null))).toEqual([]);
  });

  it('rejects short values and unknown status bytes with a reason, never throwing', () => {
    expect(decodeIddAnnunciationStatus(hex(''))).toMatchObject({ ok: false, reason: 'short_value' });
    expect(decodeIddAnnunciationStatus(hex('01 0100 3c'))).toMatchObject({
      ok: false,
      reason: 'short_value',
    });
    expect(decodeIddAnnunciationStatus(hex('03 0100 3c00 33 01'))).toMatchObject({
      ok: false,
      reason: 'short_value',
    });
    expect(decodeIddAnnunciationStatus(hex('01 0100 3c00 99'))).toMatchObject({
      ok: false,
      reason: 'bad_value',
    });
  });

  it('checks the E2E-CRC when the pump protects its values', () => {
    const value = encodeIddAnnunciationStatus(
      { instanceId: 3, type: AnnunciationType.OCCLUSION_DETECTED, status: AnnunciationStatus.pending },
      { counter: 17 },
    );
    expect(decodeIddAnnunciationStatus(value, { e2e: true })).toMatchObject({
      ok: true,
      value: { type: 0x3c },
    });
    const corrupt = Uint8Array.from(value);
    corrupt[3] ^= 0x01;
    expect(decodeIddAnnunciationStatus(corrupt, { e2e: true })).toMatchObject({
      ok: false,
      reason: 'bad_e2e_crc',
    });
  });
});

describe('IDD Status (0x2B21) and Status Changed (0x2B20)', () => {
  it('decodes therapy and operational state, reservoir (SFLOAT) and the attached flag', () => {
    // Run, Ready, 150.5 IU (mantissa 1505, exponent -1 = 0xF5E1), reservoir attached.
    expect(decodeIddStatus(hex('55 96 e1f5 01'))).toEqual({
      ok: true,
      value: {
        therapyControlState: 'run',
        operationalState: 'ready',
        reservoirRemaining_IU: 150.5,
        reservoirAttached: true,
      },
    });
    const value = encodeIddStatus(
      {
        therapyControlState: TherapyControlState.pause,
        operationalState: OperationalState.standby,
        reservoirRemaining_IU: Number.NaN,
        reservoirAttached: false,
      },
      { counter: 1 },
    );
    const decoded = decodeIddStatus(value, { e2e: true });
    expect(decoded).toMatchObject({
      ok: true,
      value: { therapyControlState: 'pause', reservoirAttached: false },
    });
    expect(decodeIddStatus(hex('77 96 e1f5 01'))).toMatchObject({ ok: false, reason: 'bad_value' });
    expect(decodeIddStatus(hex('55 96'))).toMatchObject({ ok: false, reason: 'short_value' });
  });

  it('maps IDS states to pump states', () => {
    const status = (therapy: 'run' | 'pause' | 'stop' | 'undetermined', operational = 'ready' as const) =>
      pumpStateOf({
        therapyControlState: therapy,
        operationalState: operational,
        reservoirRemaining_IU: 1,
        reservoirAttached: true,
      });
    expect([status('run'), status('pause'), status('stop'), status('undetermined')]).toEqual([
      'infusing',
      'paused',
      'stopped',
      'standby',
    ]);
    expect(
      pumpStateOf({
        therapyControlState: 'run',
        operationalState: 'off',
        reservoirRemaining_IU: 1,
        reservoirAttached: true,
      }),
    ).toBe('off');
  });

  it('decodes the Status Changed flags', () => {
    expect(decodeIddStatusChanged(hex('0900'))).toMatchObject({
      ok: true,
      value: { therapyControlState: true, annunciationStatus: true, operationalState: false, raw: 9 },
    });
    expect(decodeIddStatusChanged(encodeIddStatusChanged(2, { counter: 4 }), { e2e: true })).toMatchObject({
      value: { operationalState: true },
    });
  });

  it('round-trips SFLOAT and its special values', () => {
    for (const value of [0, 1, -1, 150.5, 2045, 20470, 0.001, 300000, -25.6]) {
      expect(decodeSfloat(encodeSfloat(value))).toBeCloseTo(value, 3);
    }
    expect(decodeSfloat(0x07ff)).toBeNaN();
    expect(decodeSfloat(0x07fe)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('infusion telemetry and a whole sample', () => {
  it('builds a telemetry sample from status, telemetry, battery and annunciations', () => {
    const telemetry = decodeInfusionTelemetry(
      encodeInfusionTelemetry({
        ts: 1_763_812_800_000,
        rate_mL_h: 25,
        vi_mL: 12.5,
        vtbi_mL: 100,
        pressure_mmHg: 120,
        occlusionLimit_mmHg: 300,
        onBattery: true,
      }),
    );
    const status = decodeIddStatus(hex('55 96 e1f5 01'));
    const battery = decodeBatteryLevel(hex('50'));
    if (!telemetry.ok || !status.ok || !battery.ok) throw new Error('decode failed');
    const annunciations = applyAnnunciation(new Map(), {
      instanceId: 1,
      type: 0x3c,
      status: 'pending',
      auxInfo: [],
    });
    expect(
      idsSample({
        status: status.value,
        telemetry: telemetry.value,
        battery_pct: battery.value,
        annunciations,
      }),
    ).toEqual({
      v: 1,
      ts: 1_763_812_800_000,
      state: 'infusing',
      rate_mL_h: 25,
      vi_mL: 12.5,
      vtbi_mL: 100,
      pressure_mmHg: 120,
      occlusionLimit_mmHg: 300,
      battery_pct: 80,
      onBattery: true,
      alarms: ['occlusion'],
    });
    expect(idsSample({ status: status.value, telemetry: null, annunciations })).toBeNull();
    expect(decodeInfusionTelemetry(hex('01 00'))).toMatchObject({ ok: false, reason: 'short_value' });
    expect(decodeBatteryLevel(hex('ff'))).toMatchObject({ ok: false, reason: 'bad_value' });
  });
});
