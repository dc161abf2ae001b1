import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain.error';
import { type ErrorBody, type ErrorCode, statusOf } from '@app/contract';
import { isDatabaseUnavailable, isInvalidInput } from '../errors/database-errors';

/**
 * Nest's own HTTP exceptions (unknown route, refusals of Fastify's router, body parsers and static files, ...) mapped
 * onto contract codes; the answer's status is the code's. Any other 4xx is `validation_failed`.
 */
const CODE_FOR_STATUS: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  414: 'validation_failed',
  415: 'validation_failed',
  429: 'rate_limited',
  503: 'service_unavailable',
};

/** What Fastify's refusals say, without echoing the input (by the `code` of the FastifyError Nest wraps). */
const MESSAGE_FOR_FASTIFY_CODE: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported content type; send JSON.',
  FST_ERR_BAD_URL: 'The path holds a malformed percent-escape.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The Content-Length does not match the body.',
};

/**
 * Refusals whose status would map to the wrong code. The static files' refusal of a path that is not canonical
 * (`/%00`, `/a/../b`, `//x`) is a 403, but `forbidden` means "signed in and not allowed" (contract §1): such a path
 * names no page, so it is `not_found`.
 */
const STATUS_FOR_FASTIFY_CODE: Record<string, number> = {
  FST_STATIC_FORBIDDEN_PATH: 404,
};

/** The `code` of the FastifyError that Nest wrapped, if it was one. */
const fastifyCodeOf = (exception: HttpException): string => (exception.cause as { code?: string } | undefined)?.code ?? '';

/** What other refusals of a request say (the pages' `Range` and conditional requests). */
const MESSAGE_FOR_STATUS: Record<number, string> = {
  412: 'A precondition of the request (If-Match, If-Unmodified-Since) does not hold.',
  416: 'The requested range cannot be served.',
};

/**
 * Node's HTTP parser's refusals, which come before any request exists (Fastify's `clientErrorHandler`): a request
 * line or header it cannot parse, headers over its limit, a request not received within the request timeout.
 */
export function clientErrorBody(error: { code?: string }): ErrorBody {
  // payload_too_large is the contract's code for a body; headers are validation_failed ("malformed header").
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return { statusCode: 400, code: 'validation_failed', message: 'The request headers are larger than the limit.' };
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { statusCode: 400, code: 'validation_failed', message: 'The request was not received in time.' };
  }
  return { statusCode: 400, code: 'validation_failed', message: 'The request is malformed.' };
}

/**
 * Whether the failure is only that the client went away while its request was read: the request stream's own error,
 * Node's "aborted", whose code (ECONNRESET) is also that of a lost database connection. Nobody is left to answer and
 * nothing failed here, so it is neither answered nor logged as an outage; the request's log line says 499. A database
 * error of a request whose client has gone too is still what it is.
 */
export function isClientGone(exception: unknown, request: FastifyRequest): boolean {
  const error = exception as { code?: unknown; message?: unknown } | null;
  return request.raw.destroyed && error?.code === 'ECONNRESET' && error.message === 'aborted';
}

/**
 * The one place where any failure of an HTTP request becomes the contract's error body. Unknown failures answer 500
 * with a correlation id that is also logged with the cause, so that no stack trace ever reaches a client.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.answer(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  /** Also for what Fastify's router refuses before any hook or filter runs (a malformed path: `frameworkErrors`). */
  answer(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    if (isClientGone(exception, request)) return;
    // The request's id (X-Request-Id) doubles as the correlation id of a 500.
    const body = this.toBody(exception, request.id);
    if (reply.sent || reply.raw.headersSent) return;
    if (exception instanceof DomainError && exception.retryAfterSeconds !== undefined) {
      reply.header('Retry-After', String(exception.retryAfterSeconds));
    }
    reply.status(body.statusCode).send(body);
  }

  private toBody(exception: unknown, requestId: string | undefined): ErrorBody {
    if (exception instanceof DomainError) {
      return { statusCode: statusOf(exception.code), code: exception.code, message: exception.message };
    }
    if (exception instanceof HttpException) {
      const status = STATUS_FOR_FASTIFY_CODE[fastifyCodeOf(exception)] ?? exception.getStatus();
      const code = CODE_FOR_STATUS[status] ?? (status >= 400 && status < 500 ? 'validation_failed' : undefined);
      if (code) return { statusCode: statusOf(code), code, message: this.messageOf(exception, code) };
    }
    if (isInvalidInput(exception)) {
      return { statusCode: 400, code: 'validation_failed', message: 'The request holds a value the service cannot store.' };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`database unavailable: ${(exception as Error).message}`);
      return { statusCode: 503, code: 'service_unavailable', message: 'The database cannot serve this request now; retry later.' };
    }
    const correlationId = requestId ?? randomUUID();
    this.logger.error(`unhandled error ${correlationId}`, exception instanceof Error ? exception.stack : String(exception));
    return { statusCode: 500, code: 'internal_error', message: `Internal error (correlation id ${correlationId}).` };
  }

  private messageOf(exception: HttpException, code: ErrorCode): string {
    switch (code) {
      case 'payload_too_large':
        return 'The request body is larger than the limit.';
      case 'validation_failed':
        return MESSAGE_FOR_FASTIFY_CODE[fastifyCodeOf(exception)] ?? MESSAGE_FOR_STATUS[exception.getStatus()] ?? 'The request is malformed.';
      case 'not_found':
        return 'No such route.';
      default:
        return exception.message;
    }
  }
}
