import type { INestApplication } from '@nestjs/common';
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
        'Every error answers `{statusCode, code, message}`; clients switch on `code`.',
        'Push: Socket.IO namespace `/qr` with `auth: {qrId, secret}`; events `status`, `scanned`, `confirmed`, `rejected`, `cancelled`, `expired`.',
      ].join('\n'),
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

export function setUpOpenApi(app: INestApplication): void {
  SwaggerModule.setup('api/docs', app, () => createOpenApiDocument(app), {
    jsonDocumentUrl: 'api/docs-json',
    customSiteTitle: 'QR login API',
  });
}
