import { seedFromString } from './prng.js';
import { buildScenario, type Scenario } from './scenarios.js';

export interface DemoPump {
  pumpId: string;
  /** What the pump is infusing, for logs and the demo script. */
  label: string;
  seed: number;
  scenario: Scenario;
}

/**
 * The demo's home-infusion patients. Within two minutes of start PUMP-0004 occludes (alarm at about
 * 95 s), PUMP-0002 gets air in line (75 s), PUMP-0003's battery goes low (90 s), PUMP-0006 completes
 * and drops to KVO (60 s) and PUMP-0007's site starts to infiltrate; PUMP-0001 and PUMP-0009 (milrinone) run normally,
 * PUMP-0005 sits paused and PUMP-0008 waits, programmed, for a vancomycin dose nobody starts (the demo
 * shortens its dose window: see DEMO_DOSE_WINDOW in demo-patients.ts). Rates and volumes are typical of the drugs named.
 */
export function demoFleet(): DemoPump[] {
  const pumps: Array<Omit<DemoPump, 'seed'>> = [
    {
      pumpId: 'PUMP-0001',
      label: 'Ceftriaxone 2 g in 100 mL',
      scenario: buildScenario('normal', { rate_mL_h: 100, vtbi_mL: 100 }),
    },
    {
      pumpId: 'PUMP-0002',
      label: 'Hydration, 0.9 % NaCl 1000 mL',
      scenario: buildScenario('air_in_line', { rate_mL_h: 125, vtbi_mL: 1000, onsetMs: 75_000 }),
    },
    {
      pumpId: 'PUMP-0003',
      label: 'Parenteral nutrition (TPN) 1920 mL overnight',
      scenario: buildScenario('battery_low', { rate_mL_h: 80, vtbi_mL: 1920, onsetMs: 90_000 }),
    },
    {
      pumpId: 'PUMP-0004',
      label: 'Fluorouracil (chemotherapy) 230 mL over 46 h',
      scenario: buildScenario('occlusion', { rate_mL_h: 5, vtbi_mL: 230, onsetMs: 40_000 }),
    },
    {
      pumpId: 'PUMP-0005',
      label: 'Immune globulin (biologic) 500 mL',
      scenario: buildScenario('paused', { rate_mL_h: 60, vtbi_mL: 500 }),
    },
    {
      pumpId: 'PUMP-0006',
      label: 'Vancomycin 1.25 g in 250 mL',
      scenario: buildScenario('complete', { rate_mL_h: 250, vtbi_mL: 250, onsetMs: 60_000 }),
    },
    {
      pumpId: 'PUMP-0008',
      label: 'Vancomycin 1 g in 250 mL, programmed for the next dose',
      // Programmed and waiting for the patient to start the dose, which nobody does: dose_missed.
      scenario: {
        ...buildScenario('paused', { rate_mL_h: 250, vtbi_mL: 250 }),
        description: 'Programmed for the next dose and never started: standby, nothing infused.',
        initialState: 'standby',
        initialVi_mL: 0,
      },
    },
    {
      pumpId: 'PUMP-0009',
      label: 'Milrinone 200 mcg/mL, continuous',
      scenario: buildScenario('normal', { rate_mL_h: 7.9, vtbi_mL: 500 }),
    },
    {
      pumpId: 'PUMP-0007',
      label: 'Hydration, 5 % dextrose 1000 mL',
      scenario: buildScenario('infiltration', { rate_mL_h: 100, vtbi_mL: 1000, onsetMs: 30_000 }),
    },
  ];
  return pumps.map((pump) => ({ ...pump, seed: seedFromString(pump.pumpId) }));
}
