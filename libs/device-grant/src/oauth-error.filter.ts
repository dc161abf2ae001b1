import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, isClientGone, isDatabaseUnavailable, isInvalidInput } from '@app/common';
import { OAuthError } from './oauth.error';

export const TOKEN_ENDPOINT_PATH = '/oauth/token';

const logger = new Logger('OAuthError');

/**
 * Any failure of a request to an OAuth endpoint as an OAuth error: the contract's DomainErrors and Nest's own
 * exceptions mapped onto RFC 6749 codes. Used by the filter below and by the form parser's error handler, which runs
 * before routing.
 */
export function toOAuthError(exception: unknown, path: string, requestId?: string): OAuthError {
  if (exception instanceof OAuthError) return exception;
  if (exception instanceof DomainError) {
    switch (exception.code) {
      case 'rate_limited':
        return new OAuthError(path === TOKEN_ENDPOINT_PATH ? 'slow_down' : 'rate_limited', exception.message, 429, exception.retryAfterSeconds);
      case 'service_unavailable':
        return new OAuthError('temporarily_unavailable', 'The service is unavailable; retry later.', 503);
      case 'payload_too_large':
        return new OAuthError('invalid_request', exception.message, 413);
      case 'validation_failed':
        return new OAuthError('invalid_request', exception.message);
    }
  }
  const status = exception instanceof HttpException ? exception.getStatus() : (exception as { status?: unknown })?.status;
  if (status === 413) return new OAuthError('invalid_request', 'The request body is larger than the limit.', 413);
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Body-parser errors (bad charset, unreadable body) and Nest's own 4xx: say what is wrong without echoing input.
    return new OAuthError('invalid_request', 'The request is malformed: send application/x-www-form-urlencoded parameters.');
  }
  if (isInvalidInput(exception)) return new OAuthError('invalid_request', 'The request holds a value the service cannot store.');
  if (isDatabaseUnavailable(exception)) {
    logger.warn(`database unavailable: ${(exception as Error).message}`);
    return new OAuthError('temporarily_unavailable', 'The database cannot serve this request now; retry later.', 503);
  }
  // The request's id (X-Request-Id) doubles as the correlation id, as for the contract's 500s.
  const correlationId = requestId ?? randomUUID();
  logger.error(`unhandled error ${correlationId}`, exception instanceof Error ? exception.stack : String(exception));
  return new OAuthError('server_error', `Internal error (correlation id ${correlationId}).`, 500);
}

/** Writes an OAuth error answer: JSON, never cached (RFC 6749 §5.1), with Retry-After when there is one. */
function sendOAuthError(reply: FastifyReply, error: OAuthError): void {
  if (reply.sent || reply.raw.headersSent) return;
  reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
  if (error.retryAfterSeconds !== undefined) reply.header('Retry-After', String(error.retryAfterSeconds));
  reply.status(error.status).send(error.body);
}

/** The OAuth endpoints answer `{error, error_description}`, not the contract's `{statusCode, code, message}`. */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (isClientGone(exception, request)) return;
    sendOAuthError(http.getResponse<FastifyReply>(), toOAuthError(exception, request.url.split('?')[0], request.id));
  }
}

/**
 * Global, beside the contract's filter: the refusals of the OAuth endpoints' form parser (oauth-form.parser.ts) come
 * before any route, so they reach the global filters and not the controller's. They are OAuthErrors, and this filter
 * answers them in the OAuth format.
 */
@Catch(OAuthError)
export class OAuthParserErrorFilter extends OAuthErrorFilter {}
