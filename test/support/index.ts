/** What scripts (benchmarks, load) share with the integration tier: real processes on loopback. */

export { FaultRig, type FaultRigOptions, type FaultVerdict } from './fault-rig.js';
export { startInfluxd } from './influxd.js';
export { type RunningMosquitto, startMosquitto } from './mosquitto.js';
export { canConnect, freePort } from './ports.js';
export { sleep, waitFor } from './wait.js';
