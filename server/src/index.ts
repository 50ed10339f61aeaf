export { careRuleIds } from './alerts/engine/care-rules.js';
export { defaultEngineParams, type EngineParams, resolveParams } from './alerts/engine/params.js';
export { sampleRuleIds } from './alerts/engine/rule-index.js';
export { EngineCore, type EngineCoreOptions } from './alerts/engine-core.js';
export { type AlertTransition, defaultEscalationPolicy, type EscalationPolicy } from './alerts/lifecycle.js';
export { type EmbeddedBroker, startEmbeddedBroker } from './broker/embedded-broker.js';
export { loadServerConfig, parseServerConfig, type ServerConfig, type ServerConfigInput } from './config.js';
export { type ApiErrorCode, PumpwatchError, type ServerErrorCode } from './errors.js';
export { IngestStats } from './ingest/ingest-stats.js';
export {
  type BuiltServer,
  buildServer,
  type PumpwatchServer,
  type ServerDeps,
  startPumpwatchServer,
} from './server.js';
export { openDuckDbStore } from './store/duckdb/open-duckdb-store.js';
export { openMemoryStore } from './store/memory/open-memory-store.js';
export { composeWard, type Ward, type WardOptions } from './ward/compose-ward.js';
export type { WardEffects } from './ward/effects.js';
export { EventBus } from './ward/event-bus.js';
export { type SampleOutcome, WardCore, type WardCoreOptions } from './ward/ward-core.js';
export type { WardEvents } from './ward/ward-events.js';
export type { WardShell } from './ward/ward-shell.js';
export { WsHub } from './ws/ws-hub.js';
