import { type Alert, PRIORITY_RANK } from '@pumpwatch/protocol';

/** Alerts that need someone first, then by priority, patients' before pumpwatch's own, then oldest first. */
export function worstFirst(a: Alert, b: Alert): number {
  const needsAction = Number(b.status === 'active') - Number(a.status === 'active');
  if (needsAction !== 0) return needsAction;
  return (
    PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] ||
    // A patient's alert before an alarm about pumpwatch itself (nobody_reachable) of the same priority.
    Number(a.hubId === 'pumpwatch') - Number(b.hubId === 'pumpwatch') ||
    a.raisedAt - b.raisedAt
  );
}
