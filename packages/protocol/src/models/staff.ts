import { z } from 'zod';
import { idSchema, timestampSchema } from './common.js';

export const StaffRole = { Admin: 'admin', Agent: 'agent' } as const;
export type StaffRole = (typeof StaffRole)[keyof typeof StaffRole];
export const staffRoleSchema = z.enum(['admin', 'agent']);

/** A staff account. `displayName` is the `name` shown to guests. */
export const staffUserSchema = z.object({
  id: idSchema,
  username: z.string(),
  displayName: z.string(),
  role: staffRoleSchema,
  disabled: z.boolean(),
  createdAt: timestampSchema,
});
export type StaffUser = z.infer<typeof staffUserSchema>;

/** Usernames: 3–64 of letters, digits and `. _ @ -`. */
export const usernameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._@-]{3,64}$/, 'must be 3–64 letters, digits or . _ @ -');
/** Passwords: 8–256 characters. */
export const passwordSchema = z.string().min(8).max(256);
