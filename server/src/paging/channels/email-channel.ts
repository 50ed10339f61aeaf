import nodemailer, { type Transporter } from 'nodemailer';
import type { ContactStore } from '../contacts/ports.js';
import { type Channel, type PageMessage, type Receipt, reasonOf } from './channel.js';
import { pageText } from './page-text.js';

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  auth?: { user: string; pass: string };
  /** `"pumpwatch <alerts@example.org>"` */
  from: string;
  timeoutMs?: number;
}

export interface EmailChannelOptions {
  contacts: Pick<ContactStore, 'contactOf'>;
  smtp: SmtpSettings;
  now: () => number;
}

/**
 * Email over SMTP (nodemailer) to the address the person gave (`PUT /api/me/contact`): for low and medium
 * alerts, and as the fallback when push fails. One receipt per address, with the server's reply code
 * (250 when accepted for delivery).
 */
export class EmailChannel implements Channel {
  readonly name = 'email' as const;
  private readonly transport: Transporter;

  constructor(private readonly options: EmailChannelOptions) {
    const { smtp } = options;
    const timeout = smtp.timeoutMs ?? 15_000;
    this.transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      ...(smtp.auth ? { auth: smtp.auth } : {}),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  async deliver(message: PageMessage): Promise<Receipt[]> {
    let email: string | null;
    try {
      email = (await this.options.contacts.contactOf(message.recipient))?.email ?? null;
    } catch (error) {
      return [this.receipt(message, '(contact)', 'failed', { error: reasonOf(error) }, 0)];
    }
    if (!email) return [];
    const text = pageText(message);
    try {
      const info = (await this.transport.sendMail({
        from: this.options.smtp.from,
        to: email,
        subject: text.subject,
        text: plainBody(message, text),
        html: htmlBody(message, text),
        // One thread per alert in the nurse's mail client.
        headers: { 'X-Pumpwatch-Alert': message.alert.id },
      })) as { response?: string };
      return [this.receipt(message, email, 'sent', { statusCode: smtpCode(info.response) ?? 250 })];
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      return [
        this.receipt(message, email, 'failed', {
          ...(code ? { statusCode: code } : {}),
          error: reasonOf(error),
        }),
      ];
    }
  }

  close(): void {
    this.transport.close();
  }

  private receipt(
    message: PageMessage,
    target: string,
    status: Receipt['status'],
    extra: { statusCode?: number; error?: string },
    attempts = 1,
  ): Receipt {
    return {
      channel: this.name,
      target,
      recipient: message.recipient,
      status,
      at: this.options.now(),
      attempts,
      ...extra,
    };
  }
}

/** "250 2.0.0 OK: queued as …" → 250. */
function smtpCode(response: string | undefined): number | undefined {
  const match = /^(\d{3})/.exec(response ?? '');
  return match ? Number(match[1]) : undefined;
}

function plainBody(message: PageMessage, text: ReturnType<typeof pageText>): string {
  const { alert } = message;
  return [
    text.title,
    '',
    `Patient: ${text.patient}`,
    `Drug: ${text.drug ?? '—'}`,
    `Alert: ${text.rule} (${alert.priority} priority)`,
    alert.message,
    `Pump: ${alert.pumpId} on ${alert.hubId}`,
    `Raised: ${new Date(alert.raisedAt).toISOString()}`,
    '',
    `Open the alert: ${message.alertUrl}`,
    '',
    'Acknowledge it in pumpwatch; replying to this email does nothing.',
  ].join('\n');
}

function htmlBody(message: PageMessage, text: ReturnType<typeof pageText>): string {
  const { alert } = message;
  const row = (label: string, value: string) =>
    `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`;
  return [
    '<!doctype html><html><body>',
    `<h1 style="font-size:1.2em">${escapeHtml(text.title)}</h1>`,
    '<table>',
    row('Patient', text.patient),
    row('Drug', text.drug ?? '—'),
    row('Alert', `${text.rule} (${alert.priority} priority)`),
    row('Details', alert.message),
    row('Pump', `${alert.pumpId} on ${alert.hubId}`),
    row('Raised', new Date(alert.raisedAt).toISOString()),
    '</table>',
    `<p><a href="${escapeHtml(message.alertUrl)}">Open the alert in pumpwatch</a></p>`,
    '<p>Acknowledge it in pumpwatch; replying to this email does nothing.</p>',
    '</body></html>',
  ].join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
