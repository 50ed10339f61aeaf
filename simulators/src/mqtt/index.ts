export * from './fake-hub.js';
export * from './load-generator.js';
