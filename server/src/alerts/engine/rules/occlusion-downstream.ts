import type { SampleRule } from '../types.js';

/**
 * occlusion_downstream (ALARMS.md; IEC 60601-2-24: an occlusion raises a high-priority alarm): the pump's
 * own occlusion flag, or downstream pressure at or above the occlusion limit.
 */
export const occlusionDownstream: SampleRule = {
  id: 'occlusion_downstream',
  evaluate(sample, wasActive, params) {
    const limit = sample.occlusionLimit_mmHg ?? params.occlusion.defaultLimit_mmHg;
    const pressure = sample.pressure_mmHg;
    const flagged = sample.alarms.includes('occlusion');
    const threshold = wasActive ? limit * params.occlusion.clearBelowFraction : limit;
    const overLimit = pressure !== undefined && pressure >= threshold;
    if (!flagged && !overLimit) return null;
    return {
      rule: 'occlusion_downstream',
      priority: 'high',
      message: 'Downstream occlusion: flow blocked. Check the line for kinks, clamps and the site.',
      details: { pressure_mmHg: pressure ?? null, occlusionLimit_mmHg: limit, pumpFlag: flagged },
    };
  },
};
