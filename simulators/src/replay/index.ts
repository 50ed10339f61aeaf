export * from './noisy-corpus.js';
export * from './quality-report.js';
export * from './scenario-cases.js';
export * from './ward-replay.js';
