/**
 * `@pumpwatch/server/testing`: what other workspaces' tests reuse from the server's own: the store
 * contract suite (run it against every storage adapter) and the sample and alert fixtures.
 */
export { alert, sample } from './fixtures.js';
export { describeStoreContract, type StoreFactory } from './store/store-contract.js';
