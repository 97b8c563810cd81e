import { AppException, ErrorKind } from '../../common/app-exception.js';

/** Errors of authentication and access control. */
export class AuthException extends AppException {
  static unauthorized(message = 'authentication required'): AuthException {
    return new AuthException(ErrorKind.Unauthorized, message);
  }

  static forbidden(message = 'not allowed'): AuthException {
    return new AuthException(ErrorKind.Forbidden, message);
  }

  static throttled(retryAfterSeconds: number): AuthException {
    return new AuthException(ErrorKind.TooManyRequests, 'too many failed attempts; try again later', { retryAfterSeconds });
  }
}
