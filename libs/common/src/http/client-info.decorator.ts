import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { clientInfoOf } from './client-info';

/** Injects the caller's IP and user agent into a controller method. */
export const Client = createParamDecorator((_: unknown, ctx: ExecutionContext) => clientInfoOf(ctx.switchToHttp().getRequest<FastifyRequest>()));
