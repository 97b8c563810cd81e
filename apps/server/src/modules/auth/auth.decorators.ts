import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import type { Actor } from '../../common/actor.js';
import { AuthException } from './auth.exception.js';
import { AuthGuard, type GuardedRequest } from './auth.guard.js';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options.js';
import type { AccessClaims } from './tokens.js';

export type { AuthOptions } from './auth.options.js';

/** Requires a valid access token of the given audience (and role) on a route or controller. */
export function Auth(options: AuthOptions): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(AUTH_OPTIONS, options), UseGuards(AuthGuard));
}

/** The caller, as the AuthGuard read it from the database for this request. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<GuardedRequest>().actor;
  // Only reachable on a route without @Auth(): a programming error, never a client's.
  if (!actor) throw AuthException.unauthorized('authentication required');
  return actor;
});

/**
 * The verified claims of a route guarded with `session: 'in-handler'`; its handler must still read
 * the session (`AuthService.actorFromPrincipal`) before it answers.
 */
export const VerifiedClaims = createParamDecorator((_data: unknown, context: ExecutionContext): AccessClaims => {
  const claims = context.switchToHttp().getRequest<GuardedRequest>().verifiedClaims;
  // Only reachable on a route without `session: 'in-handler'`: a programming error.
  if (!claims) throw AuthException.unauthorized('authentication required');
  return claims;
});
