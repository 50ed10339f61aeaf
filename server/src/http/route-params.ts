import { idSchema } from '@pumpwatch/protocol';
import { z } from 'zod';

/** `{pumpId}` in a route's path: one schema, so every pump route refuses the same ids the same way. */
export const pumpIdParams = z.object({ pumpId: idSchema });
