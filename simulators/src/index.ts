export * from './demo-fleet.js';
export * from './errors.js';
export * from './prng.js';
export * from './pump-events.js';
export * from './pump-model.js';
export * from './pump-physics.js';
export * from './scenarios.js';
