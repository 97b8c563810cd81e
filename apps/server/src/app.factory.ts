import 'reflect-metadata';
import path from 'node:path';
import { BadRequestException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { Limits } from '@bellhop/protocol';
import { AppModule } from './app.module.js';
import { BellhopExpressAdapter } from './common/express.adapter.js';
import { NestPinoLogger } from './common/logger.js';
import type { AppConfig } from './config/config.js';
import { BellhopWsAdapter } from './modules/realtime/ws.adapter.js';

const NON_APP_PATHS = /^\/(api|ws|healthz|readyz|metrics)(\/|$)/;

/** Builds the Nest application: HTTP API, WebSocket gateway and (when built) the web app, on one server. */
export async function createApp(config: AppConfig, logger: Logger, databaseUrl: string): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger, databaseUrl), new BellhopExpressAdapter(), {
    bodyParser: false,
    logger: new NestPinoLogger(logger.child({ component: 'nest' })),
  });
  app.disable('x-powered-by');
  // API answers are never revalidated: no SHA-1 of every body. index.html is revalidated by its
  // Last-Modified; the hashed assets keep their ETags (express.static).
  app.set('etag', false);
  if (config.trustProxy) app.set('trust proxy', true);
  // First, so that the body parsers' own refusals (400, 413) carry the CORS headers too.
  app.enableCors({ origin: config.allowedOrigins, credentials: true });
  app.useBodyParser('json', { limit: Limits.httpBodyMaxBytes });
  // A body of any other type sent to the API is read as bytes under the same limit (413 above
  // it) and refused; elsewhere, and on GET and HEAD, it is left unread as before.
  const apiWrite = (req: { method?: string; url?: string }) => req.method !== 'GET' && req.method !== 'HEAD' && (req.url ?? '').startsWith('/api/');
  app.useBodyParser('raw', { type: apiWrite, limit: Limits.httpBodyMaxBytes });
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (!Buffer.isBuffer(req.body)) return next();
    if (req.body.length === 0) {
      req.body = undefined;
      return next();
    }
    next(new BadRequestException('request body must be JSON, sent with Content-Type: application/json'));
  });
  app.use(cookieParser());
  app.useWebSocketAdapter(new BellhopWsAdapter(app));

  if (config.webDistDir) {
    const dist = config.webDistDir;
    const files = express.static(dist, { index: false, maxAge: '1h', setHeaders: immutableAssets });
    // API, socket and probe paths never look at the file system (a stat per API request otherwise).
    app.use((req: Request, res: Response, next: NextFunction) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || NON_APP_PATHS.test(req.path)) return next();
      files(req, res, next);
    });
    // Every client route (/, /join/:code, /chat, /staff/...) answers with the app.
    app.use((req: Request, res: Response, next: NextFunction) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || NON_APP_PATHS.test(req.path)) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(dist, 'index.html'));
    });
  }
  return app;
}

function immutableAssets(res: Response, file: string): void {
  if (file.includes(`${path.sep}assets${path.sep}`)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
}
