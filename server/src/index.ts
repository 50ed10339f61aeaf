export { type EmbeddedBroker, startEmbeddedBroker } from './broker/embedded-broker.js';
export { loadServerConfig, parseServerConfig, type ServerConfig, type ServerConfigInput } from './config.js';
export { PumpwatchError } from './errors.js';
export { type PumpwatchServer, type ServerDeps, startPumpwatchServer } from './server.js';
