export { defaultEngineParams, type EngineParams, resolveParams } from './alerts/engine/params.js';
export { sampleRuleIds } from './alerts/engine/rule-index.js';
export { EngineCore, type EngineCoreOptions } from './alerts/engine-core.js';
export { type AlertTransition, defaultEscalationPolicy, type EscalationPolicy } from './alerts/lifecycle.js';
export { type EmbeddedBroker, startEmbeddedBroker } from './broker/embedded-broker.js';
export { loadServerConfig, parseServerConfig, type ServerConfig, type ServerConfigInput } from './config.js';
export { PumpwatchError } from './errors.js';
export { type PumpwatchServer, type ServerDeps, startPumpwatchServer } from './server.js';
