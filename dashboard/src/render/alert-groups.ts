import { PRIORITY_RANK, type Priority } from '@pumpwatch/protocol';
import type { AlertRowView } from '../view.js';

/** One pump's open alerts: the console shows them as one card (issue 16: one card per pump). */
export interface AlertGroup {
  key: string;
  /** The pump as its rows name it ("PUMP-7 on hub-2"), or the team for a team's alarm. */
  label: string;
  /** The worst priority among the rows: the card is marked with it. */
  worst: Priority;
  /** Worst priority first; rows of equal priority keep the order they were given in. */
  rows: AlertRowView[];
}

/**
 * Groups the inbox's rows by pump, in the order each pump first appears (the inbox's own order: worst
 * and most urgent first), with the worst priority on top inside each card — so a pump with a high
 * occlusion and a medium battery is one card led by the occlusion, not two entries far apart.
 */
export function groupAlertRows(rows: readonly AlertRowView[]): AlertGroup[] {
  const groups = new Map<string, AlertGroup>();
  for (const row of rows) {
    let group = groups.get(row.groupKey);
    if (!group) {
      group = { key: row.groupKey, label: row.pumpText, worst: row.priority, rows: [] };
      groups.set(row.groupKey, group);
    }
    group.rows.push(row);
    if (PRIORITY_RANK[row.priority] > PRIORITY_RANK[group.worst]) group.worst = row.priority;
  }
  for (const group of groups.values()) {
    // Array.prototype.sort is stable: equal priorities keep the inbox's order.
    group.rows.sort((a, b) => PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority]);
  }
  return [...groups.values()];
}

/** The card's heading: the pump, and how many alerts it holds when more than one. */
export function groupTitle(group: AlertGroup): string {
  const count = group.rows.length;
  return count > 1 ? `${group.label} · ${count} alerts` : group.label;
}
