import { z } from 'zod';
import { telemetrySampleSchema } from './telemetry.js';

/** min / max / mean of one quantity in one bucket; null when no sample in the bucket carried it. */
export const bucketStatsSchema = z.object({ min: z.number(), max: z.number(), mean: z.number() }).nullable();
export type BucketStats = z.infer<typeof bucketStatsSchema>;

/** One time bucket of a downsampled history (`?step=` on the samples route). */
export const sampleBucketSchema = z.object({
  /** Bucket start, epoch ms (a multiple of `step`). */
  t: z.number().int(),
  /** Samples in the bucket. */
  n: z.number().int().positive(),
  rate_mL_h: bucketStatsSchema,
  vi_mL: bucketStatsSchema,
  pressure_mmHg: bucketStatsSchema,
  battery_pct: bucketStatsSchema,
});
export type SampleBucket = z.infer<typeof sampleBucketSchema>;

/**
 * Response of `GET /api/pumps/{pumpId}/samples`. Without `step`: raw `samples`. With `step` (ms):
 * `buckets` of that width and no raw samples, for long ranges in charts.
 */
export const samplesResponseSchema = z.object({
  pumpId: z.string(),
  from: z.number().nullable(),
  to: z.number().nullable(),
  step: z.number().nullable().optional(),
  count: z.number().int().nonnegative(),
  samples: z.array(telemetrySampleSchema),
  buckets: z.array(sampleBucketSchema).optional(),
});
export type SamplesResponse = z.infer<typeof samplesResponseSchema>;
