/**
 * The package entry (package.json `exports`): the pure parts of the dashboard, for other workspaces'
 * tests (test ids, frame reduction, ordering, alarm and history logic). The browser entry is main.ts.
 */
export * from './alarm.js';
export * from './connection.js';
export * from './delivered.js';
export * from './format.js';
export * from './history.js';
export * from './order.js';
export * from './route.js';
export * from './session.js';
export * from './state.js';
export * from './testids.js';
export * from './view.js';
