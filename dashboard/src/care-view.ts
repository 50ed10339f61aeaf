import type { Alert, CareSnapshot } from '@pumpwatch/protocol';

/**
 * Who a pump or an alert is for, as the console shows it: the patient first, the pump second (issue 13).
 * The server fills `patient` and `therapy` once a pump is assigned to a patient's therapy; a viewer gets
 * the patient's initials only (the server redacts), and the console shows whatever arrives. Without a
 * patient — an unassigned pump, or a server older than the care model — the card says so plainly
 * instead of leaving a blank where a name belongs.
 */

export const UNASSIGNED_TEXT = 'Unassigned pump';

export interface CareView {
  /** True when a patient is named. */
  assigned: boolean;
  /** The patient's display name (initials for a viewer), or "Unassigned pump". */
  patientText: string;
  /** The therapy's drug, else the pump's order's drug; null when neither is known. */
  drugText: string | null;
}

type PatientRef = CareSnapshot['patient'] | undefined;
type TherapyRef = CareSnapshot['therapy'] | null | undefined;

export function careView(patient: PatientRef, therapy: TherapyRef, fallbackDrug?: string | null): CareView {
  const name = patient?.displayName.trim() ?? '';
  const drug = therapy?.drug.trim() || fallbackDrug?.trim() || null;
  return {
    assigned: name !== '',
    patientText: name !== '' ? name : UNASSIGNED_TEXT,
    drugText: drug,
  };
}

/**
 * The patient and drug the alert was raised for: its own snapshot, never the pump's current care (a pump
 * reassigned since must not move the alert to the next patient).
 */
export function alertCareView(alert: Pick<Alert, 'patient' | 'therapy'>): CareView {
  return careView(alert.patient, alert.therapy);
}

/** "Ana Silva (Vancomycin)" / "Unassigned pump": for labels, announcements and notifications. */
export function careLabel(care: CareView): string {
  return care.drugText ? `${care.patientText} (${care.drugText})` : care.patientText;
}

/**
 * pumpwatch's own alarm about a care team, not a pump: "nobody reachable" (docs/paging.md) carries the
 * team's id as its `pumpId` and `pumpwatch` as its hub, so it must not be shown as "pump team_…".
 */
export function isTeamAlert(alert: Pick<Alert, 'rule' | 'hubId'>): boolean {
  return alert.rule === 'nobody_reachable' && alert.hubId === 'pumpwatch';
}
