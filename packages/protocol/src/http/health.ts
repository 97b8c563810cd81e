import { z } from 'zod';

/** GET /healthz and /readyz */
export const healthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
});
export type Health = z.infer<typeof healthSchema>;
