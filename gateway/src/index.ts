export { GATEWAY_HELP, type GatewayArgs, parseGatewayArgs } from './config/cli-args.js';
export { DEMO_HUB_ID, type LoadGatewayConfigOptions, loadGatewayConfig } from './config/load-config.js';
export {
  type BlePumpConfig,
  type GatewayConfig,
  type GatewayConfigInput,
  gatewayConfigSchema,
  type PumpConfig,
  type SerialPumpConfig,
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
export { BlePumpSource, type BlePumpSourceOptions } from './sources/ble/ble-source.js';
export type { BleConnection, BleTransport, BleTransportFactory } from './sources/ble/ble-transport.js';
export * from './sources/ble/ids-decode.js';
export * from './sources/ble/ids-state.js';
export type {
  LinkState,
  PumpLinkStats,
  PumpReading,
  PumpReadingSample,
  PumpSource,
  PumpSourceListener,
} from './sources/pump-source.js';
export { BoundedLineParser } from './sources/serial/line-parser.js';
export * from './sources/serial/serial-frame.js';
export { SerialPumpSource, type SerialPumpSourceOptions } from './sources/serial/serial-source.js';
export { SimulatedPumpSource, type SimulatedPumpSourceOptions } from './sources/simulated.js';
export { type StatusServer, startStatusServer } from './status-server.js';
