/** Who may call a route: staff, guests or both; `role: 'admin'` narrows staff to admins. */
export interface AuthOptions {
  audience: 'staff' | 'guest' | 'any';
  role?: 'admin';
}

/** Metadata key under which `@Auth()` stores its options. */
export const AUTH_OPTIONS = 'bellhop:auth';
