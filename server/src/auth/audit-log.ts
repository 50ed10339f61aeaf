import type { AuditEntry, AuditQuery, SecurityStore } from './ports.js';

/**
 * Append-only record of who did what: logins (and failures), acknowledgements, snoozes, order and
 * rule-setting changes, users and hubs created or deleted. Before/after are kept so a change can be understood later.
 */
export class AuditLog {
  constructor(
    private readonly store: SecurityStore,
    private readonly now: () => number,
  ) {}

  record(
    actor: string,
    action: string,
    target: string | null,
    before: unknown = null,
    after: unknown = null,
  ): Promise<void> {
    const entry: AuditEntry = {
      at: this.now(),
      actor: auditSafe(actor),
      action,
      target: target === null ? null : auditSafe(target, MAX_AUDIT_TARGET),
      before,
      after,
    };
    return this.store.appendAudit(entry);
  }

  query(query: AuditQuery) {
    return this.store.audit(query);
  }
}

/** Longest actor kept (login names are at most 64 characters) and longest target (alert ids are longer). */
const MAX_AUDIT_ACTOR = 64;
const MAX_AUDIT_TARGET = 256;

/**
 * An actor or target as it may be shown to an admin: a failed login records whatever username was
 * typed, and control and format characters (a terminal escape, a newline forging a second line, a
 * right-to-left override) must not reach an admin's screen or an exported log. Each becomes U+FFFD;
 * overlong names are cut.
 */
export function auditSafe(name: string, max = MAX_AUDIT_ACTOR): string {
  const cleaned = name.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '\ufffd');
  return cleaned.length > max ? `${cleaned.slice(0, max)}…` : cleaned;
}
