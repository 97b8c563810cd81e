import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import type { Actor } from '../../common/actor.js';
import { AuthException } from './auth.exception.js';
import { AuthGuard } from './auth.guard.js';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options.js';

export type { AuthOptions } from './auth.options.js';

/** Requires a valid access token of the given audience (and role) on a route or controller. */
export function Auth(options: AuthOptions): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(AUTH_OPTIONS, options), UseGuards(AuthGuard));
}

/** The caller, as the AuthGuard read it from the database for this request. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<{ actor?: Actor }>().actor;
  // Only reachable on a route without @Auth(): a programming error, never a client's.
  if (!actor) throw AuthException.unauthorized('authentication required');
  return actor;
});
