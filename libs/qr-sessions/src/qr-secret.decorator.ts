import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** The `X-QR-Secret` header: the proof that the caller is the desktop that created the session. */
export const QrSecret = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => {
  const value = ctx.switchToHttp().getRequest<FastifyRequest>().headers['x-qr-secret'];
  return Array.isArray(value) ? value[0] : value;
});
