import { contactInputSchema } from '@pumpwatch/protocol';
import type { ApiFailure } from '../errors.js';
import { formatAgo } from '../format.js';
import type { Contact, Device } from './oncall-api.js';

/**
 * "My devices" (`#/me/devices`) as plain data: the caller's push devices with "Remove", her email and
 * SMS number (checked in the browser with the server's rules, each problem next to its field), and what
 * "Send me a test alert" answered (receipts.ts words each receipt). Pure, so it is unit-tested.
 */

export interface DeviceRow {
  id: string;
  label: string;
  /** "via fcm.googleapis.com · added 2026-03-29 · last page delivered 3 min ago". */
  detailText: string;
}

const day = (at: number) => new Date(at).toISOString().slice(0, 10);

export function deviceRows(devices: readonly Device[], now: number): DeviceRow[] {
  return devices.map((d) => {
    let service = d.pushService;
    try {
      service = new URL(d.pushService).host || d.pushService;
    } catch {
      // Not a URL: shown as the server gave it.
    }
    const last =
      d.lastSuccessAt === null
        ? 'no page delivered yet'
        : `last page delivered ${formatAgo(now - d.lastSuccessAt)}`;
    return { id: d.id, label: d.label, detailText: `via ${service} · added ${day(d.createdAt)} · ${last}` };
  });
}

export type ContactField = 'email' | 'smsNumber';
export type ContactErrors = Partial<Record<ContactField | '_form', string>>;

/** The typed email and number → the request body (blank: null, "not set"). */
export function contactBody(values: { email: string; smsNumber: string }): Contact {
  const email = values.email.trim();
  // People type numbers with spaces and dashes; E.164 has none.
  const sms = values.smsNumber.replace(/[\s().-]/g, '');
  return { email: email === '' ? null : email, smsNumber: sms === '' ? null : sms };
}

export function validateContact(values: {
  email: string;
  smsNumber: string;
}): { ok: true; body: Contact } | { ok: false; errors: ContactErrors } {
  const body = contactBody(values);
  const parsed = contactInputSchema.safeParse(body);
  if (parsed.success) return { ok: true, body };
  const errors: ContactErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if (field === 'email' || field === 'smsNumber') errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

export function contactServerErrors(failure: ApiFailure): ContactErrors {
  if (failure.code === 'VALIDATION_FAILED' && failure.issues?.length) {
    const errors: ContactErrors = {};
    for (const issue of failure.issues) {
      const field = issue.path.split('.')[0];
      if (field === 'email' || field === 'smsNumber') errors[field] ??= issue.message;
      else errors._form ??= issue.message;
    }
    return errors;
  }
  if (failure.code === 'NETWORK')
    return { _form: 'Could not reach the server: nothing was saved. Try again.' };
  return { _form: `The server refused the contact details (${failure.code}): nothing was saved.` };
}
