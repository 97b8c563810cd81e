import { Global, Module } from '@nestjs/common';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthRepository } from './auth.repository.js';
import { AuthService } from './auth.service.js';
import { PasswordService } from './password.service.js';
import { SessionsService } from './sessions.service.js';
import { ThrottleService } from './throttle.service.js';
import { TokenService } from './token.service.js';

/** Login, guest join, tokens and sessions. Global: every module guards routes with @Auth(). */
@Global()
@Module({
  controllers: [AuthController],
  providers: [AuthRepository, AuthService, AuthGuard, PasswordService, SessionsService, ThrottleService, TokenService],
  exports: [AuthService, AuthGuard, PasswordService, SessionsService],
})
export class AuthModule {}
