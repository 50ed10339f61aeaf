import type { Alert } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGED_NURSE, raiseOcclusionForPatient, startPagingServer } from './support/paging-push-service.js';
import { getJson } from './support/server-harness.js';
import { waitFor } from './support/wait.js';

/** Email through a real SMTP server (`smtp-server`) on loopback, each message parsed with mailparser. */
let server: PumpwatchServer;
let nurseToken: string;
let smtp: SMTPServer;
let alert: Alert;
const received: Array<{ from: string; to: string[]; raw: Buffer }> = [];
let refuseRecipients = false;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (refuseRecipients) {
        const error = new Error('mailbox unavailable') as Error & { responseCode: number };
        error.responseCode = 550;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as { port: number };
  ({ server, nurseToken } = await startPagingServer({
    email: {
      host: '127.0.0.1',
      port,
      secure: false,
      from: 'pumpwatch <alerts@example.org>',
      timeoutMs: 10_000,
    },
  }));
  alert = await raiseOcclusionForPatient(server, 'PUMP-EM1');
});

afterAll(async () => {
  await server?.stop();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

describe('email channel', () => {
  it('mails the alert to the nurse’s address: subject names patient and drug, body links the alert', async () => {
    const put = await fetch(`${server.httpUrl}/api/me/contact`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${nurseToken}` },
      body: JSON.stringify({ email: 'nurse@example.org', smsNumber: null }),
    });
    expect(put.status).toBe(200);
    const channel = server.paging.byName.email;
    if (!channel) throw new Error('email channel missing');
    const alertUrl = `${server.httpUrl}/#/alerts/${encodeURIComponent(alert.id)}`;
    const receipts = await channel.deliver({
      alert,
      recipient: PAGED_NURSE.username,
      reason: 'raised',
      step: 0,
      alertUrl,
    });
    expect(receipts).toEqual([
      expect.objectContaining({
        channel: 'email',
        target: 'nurse@example.org',
        recipient: PAGED_NURSE.username,
        status: 'sent',
        statusCode: 250,
      }),
    ]);
    const [message] = await waitFor(() => received.length > 0 && received, {
      timeoutMs: 10_000,
      what: 'a mail',
    });
    if (!message) throw new Error('no mail');
    expect(message.from).toBe('alerts@example.org');
    expect(message.to).toEqual(['nurse@example.org']);
    const mail = await simpleParser(message.raw);
    expect(mail.subject).toBe('[HIGH] Downstream occlusion — Zelda Quillfeather (Vancomycin)');
    expect(mail.text).toContain(alertUrl);
    expect(mail.text).toContain('Patient: Zelda Quillfeather');
    expect(mail.text).toContain('Drug: Vancomycin');
    expect(mail.html).toContain(`href="${alertUrl.replaceAll('&', '&#38;')}"`);
    expect(mail.headers.get('x-pumpwatch-alert')).toBe(alert.id);

    // The link opens the alert: it is the dashboard's (served) with the alert's id in its hash.
    const link = new URL(alertUrl);
    expect((await fetch(new URL('/', link))).status).toBe(200);
    const events = await getJson<unknown[]>(
      `${server.httpUrl}/api/alerts/${encodeURIComponent(decodeURIComponent(link.hash.replace('#/alerts/', '')))}/events`,
      nurseToken,
    );
    expect(events.status).toBe(200);
  });

  it('answers a refused recipient with a failed receipt carrying the SMTP code, not a throw', async () => {
    refuseRecipients = true;
    const channel = server.paging.byName.email;
    if (!channel) throw new Error('email channel missing');
    const receipts = await channel.deliver({
      alert,
      recipient: PAGED_NURSE.username,
      reason: 'repeated',
      step: 1,
      alertUrl: `${server.httpUrl}/#/alerts/${alert.id}`,
    });
    expect(receipts).toEqual([
      expect.objectContaining({
        status: 'failed',
        statusCode: 550,
        target: 'nurse@example.org',
        error: expect.any(String),
      }),
    ]);
  });
});
