import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/**
 * The OpenAPI document, generated from the controllers and DTOs: Swagger UI at /api/docs, the JSON at
 * /api/docs-json. The Socket.IO events are described in docs/realtime.md.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('QR login')
    .setDescription(
      [
        'Sign a desktop in by scanning its QR code with a signed-in phone.',
        '',
        'Protected routes need `Authorization: Bearer <accessToken>` **and** `X-Device-Id` of the device the token was issued to.',
        'Every error answers `{statusCode, code, message}`; clients switch on `code`. The OAuth endpoints answer `{error, error_description}` (RFC 6749).',
        'Push (Socket.IO, path `/socket.io`): namespace `/qr` with `auth: {qrId, secret}`, events `status`, `scanned`, `confirmed`, `rejected`, `cancelled`, `expired`;',
        "`/account` with `auth: {accessToken, deviceId}`, event `sign_in` for every new sign-in of the account; `/admin` (an admin's token), event `qr_session` for every change.",
      ].join('\n'),
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI is served from the app's own files; its styles are partly inline, its scripts are not. */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function setUpOpenApi(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      if (request.url.startsWith('/api/docs')) reply.header('Content-Security-Policy', DOCS_CSP);
      done();
    });
  SwaggerModule.setup('api/docs', app, () => createOpenApiDocument(app), {
    jsonDocumentUrl: 'api/docs-json',
    customSiteTitle: 'QR login API',
  });
}
