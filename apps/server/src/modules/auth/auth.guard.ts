import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Actor } from '../../common/actor.js';
import { AuthException } from './auth.exception.js';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options.js';
import { AuthService } from './auth.service.js';
import type { AccessClaims } from './tokens.js';

/** A request once the guard has let it through. */
export interface AuthenticatedRequest extends Request {
  actor: Actor;
}

/** What the guard leaves on a request: the actor, or for `session: 'in-handler'` the verified claims. */
export interface GuardedRequest extends Request {
  actor?: Actor;
  verifiedClaims?: AccessClaims;
}

/** `Authorization: Bearer <token>` → the token, else undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * 401 without a valid token of a live session (read from the database on every request), 403
 * when the caller is of the wrong kind: a guest on a staff route, an agent on an admin route.
 * With `session: 'in-handler'` the guard checks the token only and the handler's own statement
 * reads the session.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const options = this.reflector.getAllAndOverride<AuthOptions | undefined>(AUTH_OPTIONS, [context.getHandler(), context.getClass()]) ?? {
      audience: 'staff',
    };
    const req = context.switchToHttp().getRequest<GuardedRequest>();
    const token = bearerToken(req.headers.authorization);
    if (!token) throw AuthException.unauthorized('authentication required');
    if (options.session === 'in-handler') {
      req.verifiedClaims = this.auth.verifyAccessToken(token);
      return true;
    }
    const { actor } = await this.auth.authenticateAccessToken(token);
    if (options.audience !== 'any' && actor.type !== options.audience) {
      throw AuthException.forbidden(options.audience === 'staff' ? 'staff only' : 'guests only');
    }
    if (options.role === 'admin' && (actor.type !== 'staff' || actor.role !== 'admin')) {
      throw AuthException.forbidden('admins only');
    }
    req.actor = actor;
    return true;
  }
}
