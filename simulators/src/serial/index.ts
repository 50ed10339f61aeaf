export * from './line-noise.js';
export * from './serial-frame.js';
export * from './serial-pump.js';
