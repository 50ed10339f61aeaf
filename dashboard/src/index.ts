/**
 * The package entry (package.json `exports`): the pure parts of the dashboard, for other workspaces'
 * tests (test ids, frame reduction, ordering). The browser entry is main.ts.
 */
export * from './connection.js';
export * from './format.js';
export * from './order.js';
export * from './state.js';
export * from './testids.js';
export * from './view.js';
