import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { AppException, ErrorKind, httpStatusOf, isDatabaseUnavailable } from './app-exception.js';
import { LOGGER } from './logger.js';

/** Maps every error of an HTTP request to `{statusCode, error, message}`. No stack traces to clients. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const { statusCode, error, message, retryAfter } = this.describe(exception);
    if (statusCode >= 500) {
      const req = host.switchToHttp().getRequest<{ method?: string; route?: { path?: string } }>();
      this.logger.error({ err: exception instanceof Error ? { name: exception.name, message: exception.message, stack: exception.stack } : String(exception), method: req.method, route: req.route?.path, statusCode }, 'request failed');
    }
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(statusCode).json({ statusCode, error, message });
  }

  private describe(exception: unknown): { statusCode: number; error: string; message: string | string[]; retryAfter?: number } {
    if (exception instanceof AppException) {
      const { status, error } = httpStatusOf(exception.kind);
      return { statusCode: status, error, message: exception.details.messages ?? exception.message, retryAfter: exception.details.retryAfterSeconds };
    }
    // A body-parser error (too large, malformed JSON) reaches here as Nest's HttpException of it.
    const parser = bodyParserError(exception instanceof HttpException ? exception.cause : exception);
    if (parser) return { statusCode: parser.status, error: reasonPhrase(parser.status), message: parser.message };
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message = typeof response === 'object' && response && 'message' in response ? (response as { message: string | string[] }).message : exception.message;
      return { statusCode: status, error: reasonPhrase(status), message };
    }
    if (isDatabaseUnavailable(exception)) {
      const { status, error } = httpStatusOf(ErrorKind.Unavailable);
      return { statusCode: status, error, message: 'the database cannot be reached or did not answer in time; nothing was stored, try again' };
    }
    const { status, error } = httpStatusOf(ErrorKind.Internal);
    return { statusCode: status, error, message: 'internal error' };
  }
}

/** What to answer for body-parser's own errors, undefined for any other error. */
function bodyParserError(e: unknown): { status: number; message: string } | undefined {
  const err = e as { type?: string } | undefined;
  if (err?.type === 'entity.too.large') return { status: 413, message: 'request body is larger than 100 KiB' };
  if (err?.type === 'entity.parse.failed') return { status: 400, message: 'request body is not valid JSON' };
  return undefined;
}

function reasonPhrase(status: number): string {
  const phrases: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    409: 'Conflict',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
  };
  return phrases[status] ?? 'Error';
}
