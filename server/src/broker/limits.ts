import { MAX_PAYLOAD_BYTES } from '@pumpwatch/protocol';

/** The largest MQTT packet the embedded broker reads: the 64 KiB payload limit plus 1 KiB of topic and headers. */
export const DEFAULT_MAX_PACKET_BYTES = MAX_PAYLOAD_BYTES + 1024;
/** How long a socket may take to complete CONNECT (aedes' own default is 30 s). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
