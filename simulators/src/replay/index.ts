export * from './detection-report.js';
export * from './noisy-corpus.js';
export * from './noisy-faults.js';
export * from './quality-report.js';
export * from './sample-period.js';
export * from './scenario-cases.js';
export * from './tradeoff.js';
export * from './ward-replay.js';
