import { RequestMethod } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createValidationPipe, HttpErrorFilter, OriginPolicy } from '@app/common';
import { OAUTH_FORM_PATHS, OAUTH_ROUTES, oauthFormMiddleware } from '@app/device-grant';
import type { AppConfigService } from '@app/config';
import { SocketServerAdapter } from '@app/socket-server';
import { Drain } from '@app/lifecycle';
import { createLogger, NestPinoLogger, requestLoggingMiddleware, silentLogger } from '@app/logging';
import { httpMetricsMiddleware, MetricsService } from '@app/metrics';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { setUpOpenApi } from './openapi';

const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Builds the HTTP application with everything that is not a module: prefix, body limits, validation, error bodies.
 * `main.ts` and the end-to-end tests both use it, so the tests exercise exactly what users run.
 * `logger`: the process's root logger (by default one made from LOG_FORMAT and LOG_LEVEL); `false` logs nothing.
 */
export async function createApp(config: AppConfigService, options: { logger?: false | Logger } = {}): Promise<NestExpressApplication> {
  const logger = options.logger === false ? silentLogger() : (options.logger ?? createLogger({ format: config.logFormat, level: config.logLevel }));
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: options.logger === false ? false : new NestPinoLogger(logger),
  });
  app.disable('x-powered-by');
  // First of all, so that every request gets its id and its log line and is measured, whatever answers it.
  app.use(requestLoggingMiddleware(logger));
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  const drain = app.get(Drain);
  // Requests in flight are counted so that draining can wait for them; an answer written while draining (also of a
  // request that came before) closes its connection, so that keep-alive clients reconnect to a process that stays.
  app.use((_request: unknown, response: ServerResponse, next: () => void) => {
    response.once('close', drain.requestStarted());
    const writeHead = response.writeHead;
    response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      if (drain.isDraining && !this.headersSent) this.setHeader('Connection', 'close');
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse['writeHead'];
    next();
  });
  // A hop count, never `true`: Express then takes the client address that many hops from the right of
  // X-Forwarded-For, which is what handshakeIp() does for sockets.
  app.set('trust proxy', config.trustProxy > 0 ? config.trustProxy : false);
  // The OAuth endpoints (RFC 8628) take form-encoded bodies and answer OAuth errors; mounted first, so that no other
  // parser reads their bodies.
  app.use(OAUTH_FORM_PATHS, ...oauthFormMiddleware(config.bodyLimitBytes));
  // Oversized bodies are refused by the parser before they are buffered whole (413 payload_too_large).
  app.useBodyParser('json', { limit: config.bodyLimitBytes });
  app.setGlobalPrefix('api', {
    exclude: [
      { path: 'q/:id', method: RequestMethod.GET },
      ...OAUTH_ROUTES.map(({ path, method }) => ({ path, method: RequestMethod[method] })),
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  // Only PUBLIC_URL's origin and CORS_ORIGINS get a CORS grant: a page elsewhere must not run a login in the victim's
  // browser (contract §6). Same-origin requests need no grant.
  const origins = new OriginPolicy(config.publicUrl, config.corsOrigins);
  app.enableCors({
    origin: (origin, callback) => callback(null, origin !== undefined && origins.allowsCrossOrigin(origin)),
    exposedHeaders: ['Retry-After'],
  });
  app.useWebSocketAdapter(new SocketServerAdapter(app, config));
  // Pages (/, /admin) are static files served by the app itself: no outside assets, a strict CSP. The desktop page's
  // script is bundled with the SDK into dist/web by `npm run build` (scripts/build-web.mjs).
  app.useStaticAssets(resolve(process.cwd(), 'dist/web'), {
    prefix: '/assets/',
    setHeaders: (response) => response.setHeader('Cache-Control', 'no-cache'),
  });
  // Never for the API: serve-static would look for a file on disk (a stat) on every GET /api/... before the router.
  const pages = express.static(resolve(process.cwd(), 'public'), {
    index: 'index.html',
    redirect: true,
    // `/device` (the device grant's verification_uri) is public/device.html.
    extensions: ['html'],
    setHeaders: (response, path) => {
      response.setHeader('X-Content-Type-Options', 'nosniff');
      if (path.endsWith('.html')) {
        response.setHeader('Cache-Control', 'no-cache');
        response.setHeader('Content-Security-Policy', PAGE_CSP);
        response.setHeader('Referrer-Policy', 'no-referrer');
      }
    },
  });
  app.use((request: Request, response: Response, next: NextFunction) => (request.path.startsWith('/api/') ? next() : pages(request, response, next)));
  setUpOpenApi(app);
  await app.init();
  // Past every route and page (Nest's own not-found answer only covers /api): the contract's body, not Express's page.
  app
    .getHttpAdapter()
    .getInstance()
    .use((_request: unknown, response: { status(code: number): { json(body: unknown): void } }) =>
      response.status(404).json({ statusCode: 404, code: 'not_found', message: 'No such page.' }),
    );
  return app;
}
