import { z } from 'zod';
import { idSchema, personNameInputSchema } from '../models/common.js';
import { passwordSchema, staffRoleSchema, staffUserSchema, usernameSchema } from '../models/staff.js';

/** GET /api/staff */
export const staffListSchema = z.object({ items: z.array(staffUserSchema) });
export type StaffList = z.infer<typeof staffListSchema>;

/** One colleague in the staff directory: enough to name an assignee, nothing about the account. */
export const staffDirectoryEntrySchema = z.object({
  id: idSchema,
  displayName: z.string(),
  role: staffRoleSchema,
});
export type StaffDirectoryEntry = z.infer<typeof staffDirectoryEntrySchema>;

/** GET /api/staff/directory (any staff member): the active staff, sorted by `displayName`. */
export const staffDirectorySchema = z.object({ items: z.array(staffDirectoryEntrySchema) });
export type StaffDirectory = z.infer<typeof staffDirectorySchema>;

/** POST /api/staff */
export const createStaffRequestSchema = z.strictObject({
  username: usernameSchema,
  displayName: personNameInputSchema,
  role: staffRoleSchema,
  password: passwordSchema,
});
export type CreateStaffRequest = z.infer<typeof createStaffRequestSchema>;

/** PATCH /api/staff/:id. A new password or `disabled: true` ends all the member's sessions. */
export const updateStaffRequestSchema = z.strictObject({
  displayName: personNameInputSchema.optional(),
  role: staffRoleSchema.optional(),
  disabled: z.boolean().optional(),
  password: passwordSchema.optional(),
});
export type UpdateStaffRequest = z.infer<typeof updateStaffRequestSchema>;
