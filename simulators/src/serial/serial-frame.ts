import type { TelemetrySample } from '@pumpwatch/protocol';

/**
 * The pump side of the pumpwatch serial line protocol, version 1 (docs/serial-protocol.md). Written
 * from the spec on its own, as a pump vendor would, rather than sharing code with the gateway's
 * decoder: the tests that feed these frames to the gateway then check the spec, not one module twice.
 *
 *   $PW1,<counter>,<ts>,<state>,<rate>,<vi>,<vtbi>,<pressure>,<limit>,<battery>,<power>,<alarms>*<CRC>\r\n
 */
export const SERIAL_PROTOCOL_TAG = 'PW1';

/** What a pump knows: a sample without the gateway's `seq` and `hubTs`. */
export type SerialPumpSample = Omit<TelemetrySample, 'seq' | 'hubTs'>;

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR) over ASCII bytes. */
export function crc16CcittFalse(text: string): number {
  let crc = 0xffff;
  for (let i = 0; i < text.length; i++) {
    crc ^= (text.charCodeAt(i) & 0xff) << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

/** Decimal with at most 3 fractional digits and never an exponent (1e-7 would break the grammar). */
function decimal(value: number | undefined): string {
  if (value === undefined) return '';
  const fixed = value.toFixed(3);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** The frame body between `$` and `*`: what the CRC covers. */
export function serialFrameBody(sample: SerialPumpSample, counter: number): string {
  const power = sample.onBattery === undefined ? '' : sample.onBattery ? 'B' : 'M';
  return [
    SERIAL_PROTOCOL_TAG,
    String(counter & 0xffff),
    String(Math.round(sample.ts)),
    sample.state,
    decimal(sample.rate_mL_h),
    decimal(sample.vi_mL),
    decimal(sample.vtbi_mL),
    decimal(sample.pressure_mmHg),
    decimal(sample.occlusionLimit_mmHg),
    decimal(sample.battery_pct),
    power,
    (sample.alarms ?? []).join('|'),
  ].join(',');
}

/** One complete frame with its CRC and CRLF. `counter` wraps at 65536. */
export function encodeSerialFrame(sample: SerialPumpSample, counter: number): string {
  const body = serialFrameBody(sample, counter);
  const crc = crc16CcittFalse(body).toString(16).toUpperCase().padStart(4, '0');
  return `$${body}*${crc}\r\n`;
}
