import type { SampleRule } from '../types.js';

/** air_in_line (ALARMS.md; Alaris, B. Braun): the pump's air-in-line flag, high priority. */
export const airInLine: SampleRule = {
  id: 'air_in_line',
  evaluate(sample) {
    if (!sample.alarms.includes('air_in_line')) return null;
    return {
      rule: 'air_in_line',
      priority: 'high',
      message: 'Air in line: the pump has stopped. Remove the air before restarting.',
      details: {},
    };
  },
};
