import type { Alert } from '@pumpwatch/protocol';

/**
 * The port the paging engine (server/src/paging/paging-*.ts) calls to reach one person on one channel.
 * Adapters: Web Push (push-channel.ts), email (email-channel.ts), SMS/voice gateway webhook
 * (sms-webhook-channel.ts). docs/paging.md describes each payload.
 */
export type PageReason = 'raised' | 'escalated' | 'repeated' | 'acknowledged' | 'resolved' | 'test';

export interface PageMessage {
  alert: Alert; // protocol Alert, with its care snapshot
  recipient: string; // username
  reason: PageReason;
  step: number; // escalation step index (0 = primary)
  alertUrl: string; // absolute link to the alert in the dashboard, e.g. https://host/#/alerts/{id}
  acknowledgedBy?: string; // for reason 'acknowledged'
  /**
   * The same for every send of one page to one person, also when a page interrupted by a crash is sent
   * again after a restart: a receiver that keeps it sends the text once (`Idempotency-Key`).
   */
  pageId?: string;
}

export interface Receipt {
  channel: 'push' | 'email' | 'webhook';
  target: string; // device label / email address / gateway URL — never patient data
  recipient: string;
  status: 'sent' | 'failed' | 'skipped';
  at: number;
  statusCode?: number; // push service 201 / SMTP 250 / webhook 2xx
  error?: string;
  attempts: number;
}

export interface Channel {
  readonly name: Receipt['channel'];
  /** Sends to every address/device the recipient has on this channel; one receipt each; [] if none. */
  deliver(message: PageMessage): Promise<Receipt[]>;
}

/** The reasons that ask the person to act (carry Acknowledge); the others only update what she has. */
export function asksForAction(reason: PageReason): boolean {
  return reason !== 'acknowledged' && reason !== 'resolved';
}

/** An error as a receipt's reason: the message only, never a stack or a payload. */
export function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
