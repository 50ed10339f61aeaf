import type { PatientInput, TherapyInput } from '@pumpwatch/protocol';
import { demoFleet } from './demo-fleet.js';

/**
 * The demo's patients: invented people (every name is made up and marked so in its notes), one per
 * demo pump, on the home therapy that pump's label names. Each therapy's order is the pump's own
 * programming, so the demo raises only the alerts its scenarios are about. `teamId` is filled in by the
 * caller, which creates the team first.
 */
export interface DemoPatient {
  pumpId: string;
  patient: Omit<PatientInput, 'teamId'>;
  therapy: TherapyInput;
}

const FICTIONAL = 'Fictional demo patient: not a real person.';
const HOUR = 3_600_000;

interface Person {
  pumpId: string;
  name: string;
  born: string;
  caregiver: { name: string; relation: string };
  line: 'picc' | 'port' | 'midline' | 'peripheral' | 'tunneled_cvc';
  drug: string;
  dose: string;
  /** Intermittent: every `everyHours` for `durationMin`; otherwise continuous. */
  every?: { everyHours: number; durationMin: number };
  /** When the first dose is due, after the demo's start; 0 (now) unless given. */
  firstDoseAfterMs?: number;
  /** Therapy day 1, as days before the demo's start. */
  startedDaysAgo: number;
  days: number;
}

const PEOPLE: Person[] = [
  {
    pumpId: 'PUMP-0001',
    name: 'Zelda Quillfeather',
    born: '1951-03-14',
    caregiver: { name: 'Otto Quillfeather', relation: 'son' },
    line: 'picc',
    drug: 'Ceftriaxone',
    dose: '2 g in 100 mL',
    every: { everyHours: 24, durationMin: 60 },
    startedDaysAgo: 11,
    days: 42,
  },
  {
    pumpId: 'PUMP-0002',
    name: 'Basil Moonwhistle',
    born: '1938-07-02',
    caregiver: { name: 'Hettie Moonwhistle', relation: 'wife' },
    line: 'peripheral',
    drug: 'Hydration, 0.9 % sodium chloride',
    dose: '1000 mL',
    startedDaysAgo: 2,
    days: 5,
  },
  {
    pumpId: 'PUMP-0003',
    name: 'Marigold Fennimore-Sprocket',
    born: '1979-11-23',
    caregiver: { name: 'Rufus Sprocket', relation: 'husband' },
    line: 'tunneled_cvc',
    drug: 'Parenteral nutrition (TPN)',
    dose: '1920 mL, nightly 12 h cycle',
    every: { everyHours: 24, durationMin: 720 },
    startedDaysAgo: 60,
    days: 180,
  },
  {
    pumpId: 'PUMP-0004',
    name: 'Otis Bramblecrumb',
    born: '1962-01-30',
    caregiver: { name: 'Juniper Bramblecrumb', relation: 'daughter' },
    line: 'port',
    drug: 'Fluorouracil (5-FU)',
    dose: '2400 mg/m² over 46 h, ambulatory',
    startedDaysAgo: 1,
    days: 2,
  },
  {
    pumpId: 'PUMP-0005',
    name: 'Perpetua Inkwell',
    born: '1985-05-09',
    caregiver: { name: 'Ambrose Inkwell', relation: 'brother' },
    line: 'peripheral',
    drug: 'Immune globulin (IVIG)',
    dose: '0.4 g/kg in 500 mL',
    every: { everyHours: 24 * 28, durationMin: 480 },
    startedDaysAgo: 0,
    days: 1,
  },
  {
    pumpId: 'PUMP-0006',
    name: 'Cosmo Larkspur',
    born: '1947-09-17',
    caregiver: { name: 'Delphine Larkspur', relation: 'partner' },
    line: 'midline',
    drug: 'Vancomycin',
    dose: '1.25 g in 250 mL',
    every: { everyHours: 12, durationMin: 60 },
    startedDaysAgo: 6,
    days: 14,
  },
  {
    pumpId: 'PUMP-0008',
    name: 'Octavian Fernwhistle',
    born: '1962-08-30',
    caregiver: { name: 'Marigold Fernwhistle', relation: 'wife' },
    line: 'midline',
    drug: 'Vancomycin',
    dose: '1 g in 250 mL',
    every: { everyHours: 12, durationMin: 60 },
    // The dose due 30 s into the demo is never started.
    firstDoseAfterMs: 30_000,
    startedDaysAgo: 2,
    days: 10,
  },
  {
    pumpId: 'PUMP-0009',
    name: 'Hyacinth Thorncastle',
    born: '1955-02-17',
    caregiver: { name: 'Barnaby Thorncastle', relation: 'husband' },
    line: 'picc',
    drug: 'Milrinone',
    dose: '0.375 mcg/kg/min (200 mcg/mL)',
    startedDaysAgo: 20,
    days: 90,
  },
  {
    pumpId: 'PUMP-0007',
    name: 'Wendeline Puddlesby',
    born: '1993-12-01',
    caregiver: { name: 'Clement Puddlesby', relation: 'father' },
    line: 'peripheral',
    drug: 'Hydration, 5 % dextrose',
    dose: '1000 mL',
    startedDaysAgo: 0,
    days: 3,
  },
];

/**
 * The demo's dose window for PUMP-0008, in place of the default 60 min (engine `dose`), so its missed
 * dose is raised within two minutes: a demo setting, applied by `npm start` to that pump only.
 */
export const DEMO_DOSE_WINDOW = {
  pumpId: 'PUMP-0008',
  params: { dose: { lateAfterMs: 60_000, highAfterMs: 10 * 60_000 } },
} as const;

/** The demo's patients and therapies, `now` being the demo's start (the first dose of each is now). */
export function demoPatients(now: number): DemoPatient[] {
  const programs = new Map(demoFleet().map((pump) => [pump.pumpId, pump.scenario.program]));
  return PEOPLE.map((person, index) => {
    const program = programs.get(person.pumpId);
    if (!program) throw new Error(`demo patient for unknown pump ${person.pumpId}`);
    const start = new Date(now - person.startedDaysAgo * 24 * HOUR);
    const end = new Date(start.getTime() + (person.days - 1) * 24 * HOUR);
    const phone = `+44 20 7946 0${String(100 + index * 2).padStart(3, '0')}`;
    const caregiverPhone = `+44 20 7946 0${String(101 + index * 2).padStart(3, '0')}`;
    return {
      pumpId: person.pumpId,
      patient: {
        displayName: person.name,
        birthDate: person.born,
        externalIds: [{ system: 'MRN', value: `DEMO-${String(index + 1).padStart(4, '0')}` }],
        // Ofcom sets 020 7946 0xxx aside for drama: no real line answers these.
        phones: [{ label: 'home', number: phone }],
        caregivers: [{ ...person.caregiver, phone: caregiverPhone }],
        address: { line1: `${index + 1} Imaginary Lane`, city: 'Nowhere-on-Sea' },
        language: 'English',
        accessLine: { type: person.line, insertedOn: isoDate(start) },
        notes: FICTIONAL,
      },
      therapy: {
        drug: person.drug,
        dose: person.dose,
        order: { rate_mL_h: program.rate_mL_h, vtbi_mL: program.vtbi_mL, tolerance_pct: 10 },
        schedule: person.every
          ? { kind: 'intermittent', ...person.every, firstDoseAt: now + (person.firstDoseAfterMs ?? 0) }
          : { kind: 'continuous' },
        startDate: isoDate(start),
        endDate: isoDate(end),
        prescriber: 'Dr Imaginary (demo)',
        status: 'active',
      },
    };
  });
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
