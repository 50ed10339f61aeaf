export * from './alert.js';
export * from './api.js';
export * from './ids.js';
export * from './ingest.js';
export * from './pump.js';
export * from './telemetry.js';
export * from './topics.js';
export * from './ws.js';
