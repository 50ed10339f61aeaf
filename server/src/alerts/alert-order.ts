import { type Alert, PRIORITY_RANK } from '@pumpwatch/protocol';

/** Alerts that need someone first, then by priority, then oldest first: the order nurses see. */
export function worstFirst(a: Alert, b: Alert): number {
  const needsAction = Number(b.status === 'active') - Number(a.status === 'active');
  if (needsAction !== 0) return needsAction;
  return PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] || a.raisedAt - b.raisedAt;
}
