/**
 * Pure decoders for a pump laid out after the Bluetooth SIG Insulin Delivery Service (IDS 1.0.2,
 * service 0x183A; docs/clinical-reference.md#ble-profile): IDD Status Changed 0x2B20, IDD Status 0x2B21, IDD Annunciation
 * Status 0x2B22, Battery Level 0x2A19 and pumpwatch's vendor Infusion Telemetry characteristic.
 * GATT values are little-endian. Each decoder returns a value or a typed error; none throws.
 */

export const IDS_UUIDS = {
  service: '183a',
  statusChanged: '2b20',
  status: '2b21',
  annunciationStatus: '2b22',
  batteryService: '180f',
  batteryLevel: '2a19',
  /** Vendor characteristic in the IDS service (docs/gateway.md, "BLE driver"). */
  infusionTelemetry: '5057a0010000400080007075706d7701',
} as const;

export type BleDecodeErrorReason = 'short_value' | 'bad_e2e_crc' | 'bad_value';
export interface BleDecodeError {
  ok: false;
  reason: BleDecodeErrorReason;
  detail: string;
}
export type BleDecoded<T> = { ok: true; value: T } | BleDecodeError;

const fail = (reason: BleDecodeErrorReason, detail: string): BleDecodeError => ({
  ok: false,
  reason,
  detail,
});

/** Annunciation types (IDS 4.6.3) and the protocol alarm flag each raises (docs/protocol.md). */
export const annunciationFlags: ReadonlyMap<number, string | null> = new Map<number, string | null>([
  [0x000f, 'malfunction'], // SYSTEM_ISSUE
  [0x0033, 'malfunction'], // MECHANICAL_ISSUE
  [0x003c, 'occlusion'], // OCCLUSION_DETECTED
  [0x0055, 'reservoir_issue'], // RESERVOIR_ISSUE
  [0x005a, 'reservoir_empty'], // RESERVOIR_EMPTY
  [0x0066, 'reservoir_low'], // RESERVOIR_LOW
  [0x0069, 'priming_issue'], // PRIMING_ISSUE
  [0x0096, 'set_incomplete'], // INFUSION_SET_INCOMPLETE
  [0x0099, 'set_detached'], // INFUSION_SET_DETACHED
  [0x00a5, 'power_insufficient'], // POWER_SOURCE_INSUFFICIENT
  [0x00aa, 'battery_empty'], // BATTERY_EMPTY
  [0x00c3, 'battery_low'], // BATTERY_LOW
  [0x00cc, null], // BATTERY_MEDIUM: information, no alarm
  [0x00f0, null], // BATTERY_FULL: information, no alarm
  [0x00ff, 'temperature'], // TEMPERATURE_OUT_OF_RANGE
  [0x0303, 'air_pressure'], // AIR_PRESSURE_OUT_OF_RANGE
  [0x030c, 'bolus_canceled'], // BOLUS_CANCELED
  [0x0330, 'tbr_over'], // TBR_OVER
  [0x033f, 'tbr_canceled'], // TBR_CANCELED
  [0x0356, 'max_delivery'], // MAX_DELIVERY
  [0x0359, 'date_time_issue'], // DATE_TIME_ISSUE
  [0x0365, null], // TEMPERATURE: a measurement report, no alarm
]);

/**
 * The alarm flag for an annunciation type. An unknown type still raises a flag (`ids_0x1234`), so a
 * pump alarm we have no name for reaches the server's `pump_alarm` rule instead of vanishing.
 */
export function annunciationFlag(type: number): string | null {
  const known = annunciationFlags.get(type);
  if (known !== undefined) return known;
  return `ids_0x${type.toString(16).padStart(4, '0')}`;
}

/** IEEE 11073-20601 SFLOAT; NaN, NRes, ±INFINITY and the reserved value all decode as NaN or ±Infinity. */
export function decodeSfloat(raw: number): number {
  switch (raw) {
    case 0x07ff:
    case 0x0800:
    case 0x0801:
      return Number.NaN;
    case 0x07fe:
      return Number.POSITIVE_INFINITY;
    case 0x0802:
      return Number.NEGATIVE_INFINITY;
  }
  let mantissa = raw & 0x0fff;
  if (mantissa & 0x0800) mantissa -= 0x1000;
  let exponent = (raw >> 12) & 0x0f;
  if (exponent & 0x08) exponent -= 0x10;
  return Number((mantissa * 10 ** exponent).toPrecision(6));
}

/** CRC-16/MCRF4XX (CCITT polynomial, seed 0xFFFF, LSB first): the IDS E2E-CRC as we read the spec. */
export function crc16Mcrf4xx(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc & 0xffff;
}

export interface DecodeOptions {
  /** The pump's IDD Features say E2E protection is on: values end with E2E-Counter and E2E-CRC. */
  e2e?: boolean;
}

/** Strips and checks the E2E trailer; returns the payload (and counter). */
function payloadOf(
  value: Uint8Array,
  minLength: number,
  options: DecodeOptions,
): BleDecoded<{ data: Uint8Array; e2eCounter?: number }> {
  const trailer = options.e2e ? 3 : 0;
  if (value.length < minLength + trailer)
    return fail('short_value', `${value.length} bytes, need ${minLength + trailer}`);
  if (!options.e2e) return { ok: true, value: { data: value } };
  const body = value.subarray(0, value.length - 2);
  const sent = (value[value.length - 2] as number) | ((value[value.length - 1] as number) << 8);
  if (crc16Mcrf4xx(body) !== sent) return fail('bad_e2e_crc', 'E2E-CRC mismatch');
  return {
    ok: true,
    value: { data: value.subarray(0, value.length - 3), e2eCounter: value[value.length - 3] as number },
  };
}

const u16 = (data: Uint8Array, offset: number): number =>
  (data[offset] as number) | ((data[offset + 1] as number) << 8);

export interface IddStatusChanged {
  therapyControlState: boolean;
  operationalState: boolean;
  reservoirStatus: boolean;
  annunciationStatus: boolean;
  raw: number;
}

export function decodeIddStatusChanged(
  value: Uint8Array,
  options: DecodeOptions = {},
): BleDecoded<IddStatusChanged> {
  const payload = payloadOf(value, 2, options);
  if (!payload.ok) return payload;
  const raw = u16(payload.value.data, 0);
  return {
    ok: true,
    value: {
      therapyControlState: (raw & 1) !== 0,
      operationalState: (raw & 2) !== 0,
      reservoirStatus: (raw & 4) !== 0,
      annunciationStatus: (raw & 8) !== 0,
      raw,
    },
  };
}

export type TherapyControlState = 'undetermined' | 'stop' | 'pause' | 'run';
export type OperationalState =
  | 'undetermined'
  | 'off'
  | 'standby'
  | 'preparing'
  | 'priming'
  | 'waiting'
  | 'ready';

const therapyStates = new Map<number, TherapyControlState>([
  [0x0f, 'undetermined'],
  [0x33, 'stop'],
  [0x3c, 'pause'],
  [0x55, 'run'],
]);
const operationalStates = new Map<number, OperationalState>([
  [0x0f, 'undetermined'],
  [0x33, 'off'],
  [0x3c, 'standby'],
  [0x55, 'preparing'],
  [0x5a, 'priming'],
  [0x66, 'waiting'],
  [0x96, 'ready'],
]);

export interface IddStatus {
  therapyControlState: TherapyControlState;
  operationalState: OperationalState;
  /** IU; NaN when no reservoir is attached. */
  reservoirRemaining_IU: number;
  reservoirAttached: boolean;
}

export function decodeIddStatus(value: Uint8Array, options: DecodeOptions = {}): BleDecoded<IddStatus> {
  const payload = payloadOf(value, 5, options);
  if (!payload.ok) return payload;
  const { data } = payload.value;
  const therapy = therapyStates.get(data[0] as number);
  const operational = operationalStates.get(data[1] as number);
  if (!therapy) return fail('bad_value', `therapy control state 0x${(data[0] as number).toString(16)}`);
  if (!operational) return fail('bad_value', `operational state 0x${(data[1] as number).toString(16)}`);
  return {
    ok: true,
    value: {
      therapyControlState: therapy,
      operationalState: operational,
      reservoirRemaining_IU: decodeSfloat(u16(data, 2)),
      reservoirAttached: ((data[4] as number) & 1) !== 0,
    },
  };
}

export type AnnunciationStatusValue = 'undetermined' | 'pending' | 'snoozed' | 'confirmed';
const annunciationStatuses = new Map<number, AnnunciationStatusValue>([
  [0x0f, 'undetermined'],
  [0x33, 'pending'],
  [0x3c, 'snoozed'],
  [0x55, 'confirmed'],
]);

export interface Annunciation {
  instanceId: number;
  type: number;
  status: AnnunciationStatusValue;
  auxInfo: number[];
}

/** `null` value: the Annunciation Present flag is clear (no annunciation now). */
export function decodeIddAnnunciationStatus(
  value: Uint8Array,
  options: DecodeOptions = {},
): BleDecoded<Annunciation | null> {
  const payload = payloadOf(value, 1, options);
  if (!payload.ok) return payload;
  const { data } = payload.value;
  const flags = data[0] as number;
  if ((flags & 1) === 0) return { ok: true, value: null };
  let auxCount = 0;
  for (let bit = 1; bit <= 5; bit++) if (flags & (1 << bit)) auxCount++;
  const needed = 1 + 2 + 2 + 1 + 2 * auxCount;
  if (data.length < needed)
    return fail('short_value', `${data.length} bytes, flags 0x${flags.toString(16)} need ${needed}`);
  const status = annunciationStatuses.get(data[5] as number);
  if (!status) return fail('bad_value', `annunciation status 0x${(data[5] as number).toString(16)}`);
  const auxInfo: number[] = [];
  for (let i = 0; i < auxCount; i++) auxInfo.push(u16(data, 6 + 2 * i));
  return { ok: true, value: { instanceId: u16(data, 1), type: u16(data, 3), status, auxInfo } };
}

export interface InfusionTelemetry {
  ts: number;
  rate_mL_h: number;
  vi_mL: number;
  vtbi_mL?: number;
  pressure_mmHg?: number;
  occlusionLimit_mmHg?: number;
  onBattery?: boolean;
}

/** pumpwatch vendor characteristic; layout in docs/gateway.md and simulators' `encodeInfusionTelemetry`. */
export function decodeInfusionTelemetry(value: Uint8Array): BleDecoded<InfusionTelemetry> {
  const flags = value[0] ?? 0;
  const needed = 17 + (flags & 1 ? 4 : 0) + (flags & 2 ? 2 : 0) + (flags & 4 ? 2 : 0);
  if (value.length < needed) return fail('short_value', `${value.length} bytes, need ${needed}`);
  const buffer = Buffer.from(value.buffer, value.byteOffset, value.length);
  let offset = 17;
  const telemetry: InfusionTelemetry = {
    ts: Number(buffer.readBigUInt64LE(1)),
    rate_mL_h: round(buffer.readFloatLE(9)),
    vi_mL: round(buffer.readFloatLE(13)),
  };
  if (flags & 1) {
    telemetry.vtbi_mL = round(buffer.readFloatLE(offset));
    offset += 4;
  }
  if (flags & 2) {
    telemetry.pressure_mmHg = buffer.readInt16LE(offset);
    offset += 2;
  }
  if (flags & 4) telemetry.occlusionLimit_mmHg = buffer.readUInt16LE(offset);
  if (flags & 8) telemetry.onBattery = (flags & 16) !== 0;
  return { ok: true, value: telemetry };
}

export function decodeBatteryLevel(value: Uint8Array): BleDecoded<number> {
  const level = value[0];
  if (level === undefined) return fail('short_value', 'empty battery level');
  if (level > 100) return fail('bad_value', `battery level ${level}`);
  return { ok: true, value: level };
}

/** float32 carries ~7 significant digits: trim the binary noise (25.0000019 → 25). */
const round = (value: number): number => Number(value.toPrecision(7));
