import { describe, expect, it } from 'vitest';
import { careView, UNASSIGNED_TEXT } from '../src/care-view.js';
import { alertRowView, pumpCardView } from '../src/view.js';
import { alert, pump } from './fixtures.js';

/** Patient first, pump second (issue 13): the view models of alert rows and pump cards. */

const NOW = 1_000_000;
const patient = { id: 'pat_1', displayName: 'Ana Silva', teamId: 'team_1' };
const therapy = { id: 'thr_1', drug: 'Vancomycin' };

describe('alert row: patient first, pump second', () => {
  it('names the patient and drug the alert was raised for, the pump apart and smaller', () => {
    const v = alertRowView(alert({ patient, therapy }), NOW);
    expect(v).toMatchObject({
      patientText: 'Ana Silva',
      assigned: true,
      drugText: 'Vancomycin',
      pumpText: 'pump-1 on hub-1',
    });
    expect(v.ackLabel).toBe(
      'Acknowledge high priority alert: Downstream occlusion for Ana Silva (Vancomycin), pump-1 on hub-1',
    );
  });

  it('says "Unassigned pump" for an unassigned pump (null) and an older server (absent), never a blank', () => {
    for (const a of [alert({ patient: null, therapy: null }), alert()]) {
      const v = alertRowView(a, NOW);
      expect(v.patientText).toBe(UNASSIGNED_TEXT);
      expect(v.assigned).toBe(false);
      expect(v.drugText).toBeNull();
    }
  });

  it('shows what a viewer receives: the initials the server sent', () => {
    const v = alertRowView(alert({ patient: { ...patient, displayName: 'A. S.' }, therapy }), NOW);
    expect(v.patientText).toBe('A. S.');
  });

  it('a therapy without a named patient still shows its drug', () => {
    expect(careView(null, therapy)).toEqual({
      assigned: false,
      patientText: UNASSIGNED_TEXT,
      drugText: 'Vancomycin',
    });
  });
});

describe('pump card: patient first, pump second', () => {
  it('titles the card with the patient and the therapy drug', () => {
    const v = pumpCardView(pump({ care: { patient, therapy } }), [], NOW);
    expect(v).toMatchObject({ patientText: 'Ana Silva', assigned: true, drugText: 'Vancomycin' });
    expect(v.pumpId).toBe('pump-1');
  });

  it('an unassigned pump says so; the order still gives the drug', () => {
    const order = {
      drug: 'Ceftriaxone 2 g',
      rate_mL_h: 12.5,
      vtbi_mL: 250,
      tolerance_pct: 10,
      pumpId: 'pump-1',
      updatedAt: 1,
      updatedBy: 'admin',
    };
    for (const p of [pump({ care: null }), pump(), pump({ care: null, order })]) {
      const v = pumpCardView(p, [], NOW);
      expect(v.patientText).toBe(UNASSIGNED_TEXT);
      expect(v.assigned).toBe(false);
    }
    expect(pumpCardView(pump({ order }), [], NOW).drugText).toBe('Ceftriaxone 2 g');
    expect(pumpCardView(pump(), [], NOW).drugText).toBeNull();
  });
});
