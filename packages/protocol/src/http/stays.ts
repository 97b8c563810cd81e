import { z } from 'zod';
import { dateSchema, personNameInputSchema, roomNumberInputSchema } from '../models/common.js';
import { staySchema, stayStatusSchema } from '../models/stay.js';

/** POST /api/stays. `checkIn` defaults to today at the hotel; it may not be after `checkOut`. */
export const createStayRequestSchema = z
  .strictObject({
    guestName: personNameInputSchema,
    familyName: personNameInputSchema,
    roomNumber: roomNumberInputSchema,
    checkIn: dateSchema.optional(),
    checkOut: dateSchema,
  })
  .refine((s) => s.checkIn === undefined || s.checkIn <= s.checkOut, {
    message: 'must not be after checkOut',
    path: ['checkIn'],
  });
export type CreateStayRequest = z.infer<typeof createStayRequestSchema>;

export const createStayResponseSchema = z.object({
  stay: staySchema,
  /** Shown form, `ABCD-EFGH`. */
  joinCode: z.string(),
  /** `$PUBLIC_URL/join/ABCD-EFGH` */
  joinUrl: z.string(),
});
export type CreateStayResponse = z.infer<typeof createStayResponseSchema>;

/** GET /api/stays */
export const listStaysQuerySchema = z.object({
  status: stayStatusSchema.default('active'),
});
export type ListStaysQuery = z.infer<typeof listStaysQuerySchema>;

/**
 * An item of GET /api/stays: a Stay, plus its join code and link while it is active (to reprint
 * the guest's card); a checked-out stay has neither.
 */
export const stayListItemSchema = staySchema.extend({
  /** Shown form, `ABCD-EFGH`. */
  joinCode: z.string().optional(),
  /** `$PUBLIC_URL/join/ABCD-EFGH` */
  joinUrl: z.string().optional(),
});
export type StayListItem = z.infer<typeof stayListItemSchema>;

export const stayListSchema = z.object({ items: z.array(stayListItemSchema) });
export type StayList = z.infer<typeof stayListSchema>;
