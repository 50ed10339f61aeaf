/**
 * GATT values of a pump laid out after the Bluetooth SIG Insulin Delivery Service (IDS 1.0.2, service
 * 0x183A), as a pump would send them: the byte fixtures of the gateway's BLE decoder tests, and the
 * values a simulated peripheral serves. Written from the spec, not shared with the decoder.
 */

export const IDS_SERVICE = '183a';
export const IDD_STATUS_CHANGED = '2b20';
export const IDD_STATUS = '2b21';
export const IDD_ANNUNCIATION_STATUS = '2b22';
export const BATTERY_SERVICE = '180f';
export const BATTERY_LEVEL = '2a19';
/** pumpwatch's vendor characteristic in the IDS service: rate, volume, pressure (docs/gateway.md). */
export const INFUSION_TELEMETRY = '5057a0010000400080007075706d7701';

/** Therapy Control State (IDS 4.5.1). */
export const TherapyControlState = { undetermined: 0x0f, stop: 0x33, pause: 0x3c, run: 0x55 } as const;
/** Operational State (IDS 4.5.2). */
export const OperationalState = {
  undetermined: 0x0f,
  off: 0x33,
  standby: 0x3c,
  preparing: 0x55,
  priming: 0x5a,
  waiting: 0x66,
  ready: 0x96,
} as const;
/** Annunciation Status (IDS 4.6.4). */
export const AnnunciationStatus = {
  undetermined: 0x0f,
  pending: 0x33,
  snoozed: 0x3c,
  confirmed: 0x55,
} as const;

/** Annunciation Type (IDS 4.6.3): every value the specification defines. */
export const AnnunciationType = {
  SYSTEM_ISSUE: 0x000f,
  MECHANICAL_ISSUE: 0x0033,
  OCCLUSION_DETECTED: 0x003c,
  RESERVOIR_ISSUE: 0x0055,
  RESERVOIR_EMPTY: 0x005a,
  RESERVOIR_LOW: 0x0066,
  PRIMING_ISSUE: 0x0069,
  INFUSION_SET_INCOMPLETE: 0x0096,
  INFUSION_SET_DETACHED: 0x0099,
  POWER_SOURCE_INSUFFICIENT: 0x00a5,
  BATTERY_EMPTY: 0x00aa,
  BATTERY_LOW: 0x00c3,
  BATTERY_MEDIUM: 0x00cc,
  BATTERY_FULL: 0x00f0,
  TEMPERATURE_OUT_OF_RANGE: 0x00ff,
  AIR_PRESSURE_OUT_OF_RANGE: 0x0303,
  BOLUS_CANCELED: 0x030c,
  TBR_OVER: 0x0330,
  TBR_CANCELED: 0x033f,
  MAX_DELIVERY: 0x0356,
  DATE_TIME_ISSUE: 0x0359,
  TEMPERATURE: 0x0365,
} as const;

/** Status Changed flag bits (IDS 4.4). */
export const StatusChangedFlag = {
  therapyControlState: 1 << 0,
  operationalState: 1 << 1,
  reservoirStatus: 1 << 2,
  annunciationStatus: 1 << 3,
  totalDailyInsulin: 1 << 4,
  activeBasalRate: 1 << 5,
  activeBolus: 1 << 6,
  historyEventRecorded: 1 << 7,
} as const;

/** E2E protection: an E2E-Counter byte and the E2E-CRC (CRC-16/MCRF4XX, LSB first) over what precedes. */
export interface E2e {
  counter: number;
}

/**
 * IEEE 11073-20601 SFLOAT: 4-bit exponent, 12-bit mantissa, both signed. NaN encodes as 0x07FF; the
 * mantissa stays within ±2045 because 0x07FE–0x0802 are the special values.
 */
export function encodeSfloat(value: number): number {
  if (Number.isNaN(value)) return 0x07ff;
  let exponent = 0;
  let mantissa = value;
  while (Math.abs(mantissa) > 2045 && exponent < 7) {
    mantissa /= 10;
    exponent++;
  }
  while (
    Math.abs(mantissa - Math.round(mantissa)) > 1e-9 &&
    Math.abs(mantissa * 10) <= 2047 &&
    exponent > -8
  ) {
    mantissa *= 10;
    exponent--;
  }
  return ((exponent & 0x0f) << 12) | (Math.round(mantissa) & 0x0fff);
}

export function crc16Mcrf4xx(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc & 0xffff;
}

function withE2e(bytes: number[], e2e: E2e | undefined): Uint8Array {
  if (!e2e) return Uint8Array.from(bytes);
  const body = Uint8Array.from([...bytes, e2e.counter & 0xff]);
  const crc = crc16Mcrf4xx(body);
  return Uint8Array.from([...body, crc & 0xff, crc >> 8]);
}

const u16 = (value: number): number[] => [value & 0xff, (value >> 8) & 0xff];

export function encodeIddStatusChanged(flags: number, e2e?: E2e): Uint8Array {
  return withE2e(u16(flags), e2e);
}

export interface IddStatusValue {
  therapyControlState: number;
  operationalState: number;
  reservoirRemaining_IU: number;
  reservoirAttached: boolean;
}

export function encodeIddStatus(status: IddStatusValue, e2e?: E2e): Uint8Array {
  return withE2e(
    [
      status.therapyControlState,
      status.operationalState,
      ...u16(encodeSfloat(status.reservoirRemaining_IU)),
      status.reservoirAttached ? 1 : 0,
    ],
    e2e,
  );
}

export interface AnnunciationValue {
  instanceId: number;
  type: number;
  status: number;
  /** Up to five AuxInfo words; each present one sets its flag bit (1..5). */
  auxInfo?: number[];
}

/** `null`: the Annunciation Present flag clear, no annunciation at the moment. */
export function encodeIddAnnunciationStatus(annunciation: AnnunciationValue | null, e2e?: E2e): Uint8Array {
  if (!annunciation) return withE2e([0], e2e);
  const aux = (annunciation.auxInfo ?? []).slice(0, 5);
  let flags = 1;
  for (let i = 0; i < aux.length; i++) flags |= 1 << (i + 1);
  return withE2e(
    [
      flags,
      ...u16(annunciation.instanceId),
      ...u16(annunciation.type),
      annunciation.status,
      ...aux.flatMap((word) => u16(word)),
    ],
    e2e,
  );
}

export interface InfusionTelemetryValue {
  ts: number;
  rate_mL_h: number;
  vi_mL: number;
  vtbi_mL?: number;
  pressure_mmHg?: number;
  occlusionLimit_mmHg?: number;
  onBattery?: boolean;
}

/**
 * pumpwatch vendor characteristic: flags (u8: bit0 vtbi, bit1 pressure, bit2 limit, bit3 power known,
 * bit4 on battery), ts (u64 epoch ms), rate and vi (float32), then vtbi (float32), pressure (s16),
 * limit (u16) when flagged. Little-endian, as everything in GATT.
 */
export function encodeInfusionTelemetry(value: InfusionTelemetryValue): Uint8Array {
  const buffer = Buffer.alloc(1 + 8 + 4 + 4 + 4 + 2 + 2);
  let flags = 0;
  let offset = 1;
  offset = buffer.writeBigUInt64LE(BigInt(Math.round(value.ts)), offset);
  offset = buffer.writeFloatLE(value.rate_mL_h, offset);
  offset = buffer.writeFloatLE(value.vi_mL, offset);
  if (value.vtbi_mL !== undefined) {
    flags |= 1;
    offset = buffer.writeFloatLE(value.vtbi_mL, offset);
  }
  if (value.pressure_mmHg !== undefined) {
    flags |= 2;
    offset = buffer.writeInt16LE(Math.round(value.pressure_mmHg), offset);
  }
  if (value.occlusionLimit_mmHg !== undefined) {
    flags |= 4;
    offset = buffer.writeUInt16LE(Math.round(value.occlusionLimit_mmHg), offset);
  }
  if (value.onBattery !== undefined) flags |= 8 | (value.onBattery ? 16 : 0);
  buffer.writeUInt8(flags, 0);
  return Uint8Array.from(buffer.subarray(0, offset));
}

export function encodeBatteryLevel(percent: number): Uint8Array {
  return Uint8Array.from([Math.max(0, Math.min(100, Math.round(percent)))]);
}
