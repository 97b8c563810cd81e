import { z } from 'zod';
import { idSchema, noControlCharacter, personNameInputSchema, roomNumberInputSchema, timestampSchema } from '../models/common.js';
import { staffUserSchema } from '../models/staff.js';

/** POST /api/auth/login */
export const loginRequestSchema = z.strictObject({
  username: noControlCharacter(z.string()).min(1).max(200),
  password: z.string().min(1).max(1000),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const staffAuthResponseSchema = z.object({
  accessToken: z.string(),
  expiresAt: timestampSchema,
  user: staffUserSchema,
});
export type StaffAuthResponse = z.infer<typeof staffAuthResponseSchema>;

/** POST /api/guest/join: a join code, or room number + family name. */
export const joinRequestSchema = z.union([
  z.strictObject({ code: noControlCharacter(z.string()).min(1).max(20) }),
  z.strictObject({ roomNumber: roomNumberInputSchema, familyName: personNameInputSchema }),
]);
export type JoinRequest = z.infer<typeof joinRequestSchema>;

export const guestIdentitySchema = z.object({
  id: idSchema,
  name: z.string(),
  roomNumber: z.string(),
});
export type GuestIdentity = z.infer<typeof guestIdentitySchema>;

export const guestAuthResponseSchema = z.object({
  accessToken: z.string(),
  expiresAt: timestampSchema,
  guest: guestIdentitySchema,
  conversationId: idSchema,
});
export type GuestAuthResponse = z.infer<typeof guestAuthResponseSchema>;

/** POST /api/auth/refresh answers like login (staff) or join (guest). */
export const refreshResponseSchema = z.union([staffAuthResponseSchema, guestAuthResponseSchema]);
export type RefreshResponse = z.infer<typeof refreshResponseSchema>;
