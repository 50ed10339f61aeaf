export * from './engine-replay.js';
export * from './quality-report.js';
export * from './scenario-cases.js';
