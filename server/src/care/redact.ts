import type {
  Alert,
  CareSnapshot,
  Patient,
  PatientSummary,
  PumpView,
  ServerFrame,
} from '@pumpwatch/protocol';

/**
 * What a viewer may see of a patient (minimum necessary, docs/security.md): initials instead of the
 * name, nothing else. Applied to every alert, pump view and frame that leaves the server for a viewer.
 */
export function initials(name: string): string {
  const letters = name
    .split(/[\s-]+/)
    .filter((part) => part.length > 0)
    .map((part) => `${[...part][0]?.toUpperCase()}.`);
  return letters.join(' ') || '—';
}

function redactSnapshot<T extends { patient?: CareSnapshot['patient'] | undefined }>(holder: T): T {
  if (!holder.patient) return holder;
  return { ...holder, patient: { ...holder.patient, displayName: initials(holder.patient.displayName) } };
}

export function redactAlert(alert: Alert): Alert {
  return redactSnapshot(alert);
}

export function redactPumpView(view: PumpView): PumpView {
  return {
    ...view,
    alerts: view.alerts.map(redactAlert),
    ...(view.care ? { care: redactSnapshot(view.care) } : {}),
  };
}

export function redactFrame(frame: ServerFrame): ServerFrame {
  switch (frame.type) {
    case 'alert':
      return { ...frame, alert: redactAlert(frame.alert) };
    case 'pumps':
      return { ...frame, pumps: frame.pumps.map(redactPumpView) };
    case 'snapshot':
      return { ...frame, pumps: frame.pumps.map(redactPumpView), alerts: frame.alerts.map(redactAlert) };
    default:
      return frame;
  }
}

/** A patient in a list: the full name for nurses and above, initials for a viewer; never contacts. */
export function patientSummary(patient: Patient, redacted: boolean): PatientSummary {
  return {
    id: patient.id,
    displayName: redacted ? initials(patient.displayName) : patient.displayName,
    teamId: patient.teamId,
    status: patient.status,
    redacted,
  };
}
