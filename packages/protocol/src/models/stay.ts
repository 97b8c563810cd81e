import { z } from 'zod';
import { dateSchema, idSchema, personNameSchema, roomNumberSchema } from './common.js';

export const StayStatus = { Active: 'active', CheckedOut: 'checked_out' } as const;
export type StayStatus = (typeof StayStatus)[keyof typeof StayStatus];
export const stayStatusSchema = z.enum(['active', 'checked_out']);

/** A stay is the guest's identity: the guest's id is the stay's id. */
export const staySchema = z.object({
  id: idSchema,
  guestName: personNameSchema,
  familyName: personNameSchema,
  roomNumber: roomNumberSchema,
  checkIn: dateSchema,
  checkOut: dateSchema,
  status: stayStatusSchema,
  conversationId: idSchema,
});
export type Stay = z.infer<typeof staySchema>;
