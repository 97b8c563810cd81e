import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  type GuestAuthResponse,
  type JoinRequest,
  type LoginRequest,
  REFRESH_COOKIE,
  type RefreshResponse,
  type StaffAuthResponse,
  emptyBodySchema,
  joinRequestSchema,
  loginRequestSchema,
} from '@bellhop/protocol';
import { ZodPipe } from '../../common/zod.pipe.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { bearerToken } from './auth.guard.js';
import { AuthService, type Issued } from './auth.service.js';
import { clientAddress } from './client-address.js';
import { refreshCookieOptions } from './refresh-cookie.js';

/** Refresh and logout take no body: one with a field in it is refused like any unknown field. */
const NO_BODY = new ZodPipe(emptyBodySchema);

@Controller('api')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('auth/login')
  @HttpCode(200)
  async login(
    @Body(new ZodPipe(loginRequestSchema)) body: LoginRequest,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StaffAuthResponse> {
    return this.issue(res, await this.auth.login(body, this.address(req)));
  }

  @Post('guest/join')
  @HttpCode(200)
  async join(
    @Body(new ZodPipe(joinRequestSchema)) body: JoinRequest,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<GuestAuthResponse> {
    return this.issue(res, await this.auth.join(body, this.address(req)));
  }

  // A refused refresh leaves the cookie alone: with two tabs refreshing at once, the loser's
  // answer must not wipe the cookie the winner just received.
  @Post('auth/refresh')
  @HttpCode(200)
  async refresh(@Body(NO_BODY) _body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<RefreshResponse> {
    return this.issue(res, await this.auth.refresh(this.cookie(req)));
  }

  @Post('auth/logout')
  @HttpCode(204)
  async logout(@Body(NO_BODY) _body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout(this.cookie(req), bearerToken(req.headers.authorization));
    res.clearCookie(REFRESH_COOKIE, refreshCookieOptions(this.config.publicUrl, false));
  }

  private issue<T>(res: Response, issued: Issued<T>): T {
    res.cookie(REFRESH_COOKIE, issued.refreshToken, refreshCookieOptions(this.config.publicUrl));
    res.setHeader('Cache-Control', 'no-store');
    return issued.body;
  }

  private cookie(req: Request): string | undefined {
    const value = (req.cookies as Record<string, unknown> | undefined)?.[REFRESH_COOKIE];
    return typeof value === 'string' && value.length > 0 && value.length <= 200 ? value : undefined;
  }

  private address(req: Request): string {
    return clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.config.trustProxy);
  }
}
