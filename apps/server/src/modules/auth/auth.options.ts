/** Who may call a route: staff, guests or both; `role: 'admin'` narrows staff to admins. */
export type AuthOptions =
  | { audience: 'staff' | 'guest' | 'any'; role?: 'admin'; session?: undefined }
  /**
   * `session: 'in-handler'`: the guard verifies the token only, and the handler reads the session
   * itself, in the same statement as its own data (one round trip on a hot read path), through
   * `AuthService.actorFromPrincipal`. The claims come with `@VerifiedClaims()`, never
   * `@CurrentActor()`. Staff and guests alike: a 403 would need the session first.
   */
  | { audience: 'any'; role?: undefined; session: 'in-handler' };

/** Metadata key under which `@Auth()` stores its options. */
export const AUTH_OPTIONS = 'bellhop:auth';
