import { z } from 'zod';
import { passwordSchema, staffRoleSchema, staffUserSchema, usernameSchema } from '../models/staff.js';

/** GET /api/staff */
export const staffListSchema = z.object({ items: z.array(staffUserSchema) });
export type StaffList = z.infer<typeof staffListSchema>;

/** POST /api/staff */
export const createStaffRequestSchema = z.strictObject({
  username: usernameSchema,
  displayName: z.string().trim().min(1).max(100),
  role: staffRoleSchema,
  password: passwordSchema,
});
export type CreateStaffRequest = z.infer<typeof createStaffRequestSchema>;

/** PATCH /api/staff/:id. A new password or `disabled: true` ends all the member's sessions. */
export const updateStaffRequestSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(100).optional(),
  role: staffRoleSchema.optional(),
  disabled: z.boolean().optional(),
  password: passwordSchema.optional(),
});
export type UpdateStaffRequest = z.infer<typeof updateStaffRequestSchema>;
