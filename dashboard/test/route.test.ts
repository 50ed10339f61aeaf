import { describe, expect, it } from 'vitest';
import { alertHref, parseRoute, patientHref, pumpHref, teamOncallHref } from '../src/route.js';

describe('hash routes', () => {
  it('reads the overview and a pump with an optional range', () => {
    expect(parseRoute('')).toEqual({ view: 'overview' });
    expect(parseRoute('#/')).toEqual({ view: 'overview' });
    expect(parseRoute('#/pumps/PUMP-0001')).toEqual({ view: 'pump', pumpId: 'PUMP-0001', rangeId: null });
    expect(parseRoute('#/pumps/PUMP-0001?range=7d')).toEqual({
      view: 'pump',
      pumpId: 'PUMP-0001',
      rangeId: '7d',
    });
  });

  it('reads the caseload and a patient', () => {
    expect(parseRoute('#/patients')).toEqual({ view: 'patients' });
    expect(parseRoute('#/patients/')).toEqual({ view: 'patients' });
    expect(parseRoute('#/patients/pat_1')).toEqual({ view: 'patient', patientId: 'pat_1' });
    expect(parseRoute(patientHref('a b'))).toEqual({ view: 'patient', patientId: 'a b' });
    expect(parseRoute('#/patients/%E0%A4%A')).toEqual({ view: 'overview' });
  });

  it('round-trips ids through the href, and treats garbage as the overview', () => {
    expect(parseRoute(pumpHref('a b', '1h'))).toEqual({ view: 'pump', pumpId: 'a b', rangeId: '1h' });
    expect(parseRoute('#/pumps/%E0%A4%A')).toEqual({ view: 'overview' });
    expect(parseRoute('#/elsewhere')).toEqual({ view: 'overview' });
  });

  it('reads the on-call pages and an alert (issue 14)', () => {
    expect(parseRoute('#/oncall')).toEqual({ view: 'oncall', teamId: null });
    expect(parseRoute(teamOncallHref('team_1'))).toEqual({ view: 'oncall', teamId: 'team_1' });
    expect(parseRoute('#/me/devices')).toEqual({ view: 'devices' });
    expect(parseRoute(alertHref('PUMP-0004.occlusion_downstream.118'))).toEqual({
      view: 'alert',
      alertId: 'PUMP-0004.occlusion_downstream.118',
    });
    expect(parseRoute('#/alerts/%E0%A4%A')).toEqual({ view: 'overview' });
  });
});
