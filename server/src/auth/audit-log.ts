import type { AuditEntry, AuditQuery, SecurityStore } from './ports.js';

/**
 * Append-only record of who did what: logins (and failures), acknowledgements, snoozes, order and
 * rule-setting changes, users and hubs created. Before/after are kept so a change can be understood later.
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
    const entry: AuditEntry = { at: this.now(), actor, action, target, before, after };
    return this.store.appendAudit(entry);
  }

  query(query: AuditQuery) {
    return this.store.audit(query);
  }
}
