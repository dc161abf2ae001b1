import { HttpException, RequestMethod } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyStatic from '@fastify/static';
import { errorCodes, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type onRequestHookHandler } from 'fastify';
import type { Duplex } from 'node:stream';
import {
  capConnectionsPerAddress,
  clientErrorBody,
  createValidationPipe,
  DomainError,
  HttpErrorFilter,
  namesCharsetOtherThanUtf8,
  OriginPolicy,
} from '@app/common';
import { OAUTH_ROUTES, OAuthParserErrorFilter, registerOAuthFormBodies } from '@app/device-grant';
import type { AppConfigService } from '@app/config';
import { SocketServerAdapter } from '@app/socket-server';
import { Drain, drainHook } from '@app/lifecycle';
import { createLogger, NestPinoLogger, requestIdFor, requestLoggingHook, silentLogger } from '@app/logging';
import { httpMetricsHook, MetricsService } from '@app/metrics';
import { CONNECTIONS_PER_ADDRESS } from '@app/rate-limits';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { setUpOpenApi } from './openapi';

/** How long a client may take to send a whole request. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** How long a client may take to send a request's headers, from the moment it connects (or starts its next request). */
export const HEADERS_TIMEOUT_MS = 10_000;
/**
 * How often Node looks for requests past those times. Its default, 30 s, let a trickled request run for a minute and
 * more past REQUEST_TIMEOUT_MS, and a connection that sent nothing stay open as long, holding its descriptor.
 */
export const CONNECTIONS_CHECKING_INTERVAL_MS = 2_000;

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
 * Builds the HTTP application with everything that is not a module: prefix, body parsers, validation, error bodies,
 * pages. `main.ts` and the end-to-end tests both use it, so the tests exercise exactly what users run.
 * `logger`: the process's root logger (by default one made from LOG_FORMAT and LOG_LEVEL); `false` logs nothing.
 * On Fastify rather than Express: it takes half the CPU per request (docs/benchmarks.md, "HTTP adapter").
 */
export async function createApp(config: AppConfigService, options: { logger?: false | Logger } = {}): Promise<NestFastifyApplication> {
  const logger = options.logger === false ? silentLogger() : (options.logger ?? createLogger({ format: config.logFormat, level: config.logLevel }));
  const errors = new HttpErrorFilter();
  // Every request's hooks (log line, metrics, draining), set once the app exists. The router's own refusals come
  // before any hook runs: they run them themselves, so that they too are logged, measured and counted in flight.
  let requestHooks: onRequestHookHandler[] = [];
  const adapter = new FastifyAdapter({
    // Oversized bodies are refused by the parser before they are buffered whole (413 payload_too_large).
    bodyLimit: config.bodyLimitBytes,
    // A hop count, never `true`: the client address is taken that many hops from the right of X-Forwarded-For, which
    // is what handshakeIp() does for sockets. As a function: Fastify trusts no hop for a bare number.
    trustProxy: config.trustProxy > 0 ? (_address: string, hop: number) => hop < config.trustProxy : false,
    // A client that trickles its request in (headers and a body of at most BODY_LIMIT_BYTES) is cut off after 30 s:
    // Node bounds it by default (300 s), and Fastify would turn that off.
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: { headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS },
    // Every request's id: the caller's X-Request-Id if well-formed, else a new one (see requestLoggingHook).
    genReqId: requestIdFor,
    requestIdHeader: false,
    routerOptions: {
      // `/api/health/` is `/api/health`, as before.
      ignoreTrailingSlash: true,
      // A long id reaches the route's validation, which says what is wrong with it, instead of a bare 404: no path
      // parameter can be longer than Node's limit on a request's headers (16 KiB).
      maxParamLength: 16 * 1024,
    },
    // What the router refuses (a malformed percent-escape in the path) gets the contract's body too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      for (const hook of requestHooks) hook.call(fastify, request, reply, () => undefined);
      errors.answer(new HttpException(error.message, error.statusCode ?? 400, { cause: error }), request, reply);
    },
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bodyParser: false,
    logger: options.logger === false ? false : new NestPinoLogger(logger),
  });
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  // Facing clients directly, one address may not hold every descriptor of the process. Behind proxies every connection
  // is a proxy's, and the proxy caps its clients (deploy/nginx.conf).
  if (config.rateLimits && config.trustProxy === 0) capConnectionsPerAddress(app.getHttpServer(), CONNECTIONS_PER_ADDRESS);
  // First of all, so that every request gets its id and its log line and is measured, whatever answers it.
  requestHooks = [requestLoggingHook(logger), httpMetricsHook(app.get(MetricsService)), drainHook(app.get(Drain))];
  for (const hook of requestHooks) fastify.addHook('onRequest', hook);
  registerBodyParsers(fastify, config.bodyLimitBytes);
  app.setGlobalPrefix('api', {
    exclude: [
      { path: 'q/:id', method: RequestMethod.GET },
      ...OAUTH_ROUTES.map(({ path, method }) => ({ path, method: RequestMethod[method] })),
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(createValidationPipe());
  // The OAuth endpoints' form parser refuses in the OAuth format (the last filter given is asked first).
  app.useGlobalFilters(errors, new OAuthParserErrorFilter());
  // Only PUBLIC_URL's origin and CORS_ORIGINS get a CORS grant: a page elsewhere must not run a login in the victim's
  // browser (contract §6). Same-origin requests need no grant.
  const origins = new OriginPolicy(config);
  app.enableCors({
    origin: (origin, callback) => callback(null, origin !== undefined && origins.allowsCrossOrigin(origin)),
    // Every method the API has (DELETE: cancel a session, sign a device out); @fastify/cors grants GET, HEAD, POST only.
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposedHeaders: ['Retry-After'],
  });
  app.useWebSocketAdapter(new SocketServerAdapter(app, config));
  await registerPages(fastify);
  setUpOpenApi(app);
  await app.init();
  return app;
}

/**
 * What Node's HTTP parser refuses before there is a request (an unparsable request line, headers over 16 KiB, a
 * request not received within REQUEST_TIMEOUT_MS): the contract's body, then the connection is closed.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const body = clientErrorBody(error);
    const json = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${body.statusCode} ${STATUS_CODES[body.statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy();
}

/**
 * JSON for the API and form bodies for the OAuth endpoints, nothing else: another type is refused as
 * `validation_failed` ("Unsupported content type; send JSON"). An empty JSON body is no body, as clients send
 * `Content-Type: application/json` with bodiless POSTs.
 */
function registerBodyParsers(fastify: FastifyInstance, limitBytes: number): void {
  fastify.removeAllContentTypeParsers();
  const json = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: limitBytes }, (request, body, done) => {
    if (namesCharsetOtherThanUtf8(request.headers['content-type'])) done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined);
    else if (body === '') done(null, undefined);
    else json(request, body as string, (error, value) => done(error && parsesAsJson(body as string) ? prototypeKeyRefused() : error, value));
  });
  registerOAuthFormBodies(fastify, limitBytes);
}

/**
 * Fastify's parser refuses a JSON body with a `__proto__` or `constructor.prototype` key (prototype poisoning) with
 * the same error as a body that is not JSON at all: a refused body that JSON.parse takes was refused for such a key.
 */
const prototypeKeyRefused = () => new DomainError('validation_failed', 'The request body may not hold a "__proto__" or "constructor.prototype" key.');

function parsesAsJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/**
 * Pages (/, /admin, /device) are static files served by the app itself: no outside assets, a strict CSP. The desktop
 * page's script is bundled with the SDK into dist/web by `npm run build` (scripts/build-web.mjs). Both are wildcard
 * routes, so the API's routes never look on disk; a path no file answers gets the contract's 404 body.
 */
async function registerPages(fastify: FastifyInstance): Promise<void> {
  await fastify.register(fastifyStatic, {
    root: resolve(process.cwd(), 'dist/web'),
    prefix: '/assets/',
    cacheControl: false,
    setHeaders: (reply) => reply.header('Cache-Control', 'no-cache'),
  });
  await fastify.register(fastifyStatic, {
    root: resolve(process.cwd(), 'public'),
    prefix: '/',
    decorateReply: false,
    index: 'index.html',
    redirect: true,
    // `/device` (the device grant's verification_uri) is public/device.html.
    extensions: ['html'],
    cacheControl: false,
    // Revalidated on every use (ETag), so that a new version is seen at once.
    setHeaders: (reply, path) => {
      reply.header('X-Content-Type-Options', 'nosniff').header('Cache-Control', 'no-cache');
      if (path.endsWith('.html')) reply.header('Content-Security-Policy', PAGE_CSP).header('Referrer-Policy', 'no-referrer');
    },
  });
}
