export { GATEWAY_HELP, type GatewayArgs, parseGatewayArgs } from './config/cli-args.js';
export { DEMO_HUB_ID, type LoadGatewayConfigOptions, loadGatewayConfig } from './config/load-config.js';
export {
  type GatewayConfig,
  type GatewayConfigInput,
  gatewayConfigSchema,
  type PumpConfig,
  type SimulatedPumpConfig,
} from './config/schema.js';
export { type ConfigIssue, GatewayError, type GatewayErrorCode } from './errors.js';
export {
  createGateway,
  type Gateway,
  type GatewayDeps,
  type GatewayStatus,
  type PumpStatus,
} from './gateway.js';
export { createSilentLogger, type Logger } from './logger.js';
export { type OutboxEntry, OutboxStore, type OutboxStoreOptions } from './outbox/outbox-store.js';
export type {
  LinkState,
  PumpReading,
  PumpReadingSample,
  PumpSource,
  PumpSourceListener,
} from './sources/pump-source.js';
export { SimulatedPumpSource, type SimulatedPumpSourceOptions } from './sources/simulated.js';
