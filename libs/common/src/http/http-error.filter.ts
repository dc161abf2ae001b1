import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { DomainError } from '../errors/domain.error';
import { type ErrorBody, type ErrorCode, statusOf } from '@app/contract';
import { isDatabaseUnavailable, isInvalidInput } from '../errors/database-errors';

/** Nest's own HTTP exceptions (unknown route, body parser failures, ...) mapped onto contract codes. */
const CODE_FOR_STATUS: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'validation_failed',
  429: 'rate_limited',
  503: 'service_unavailable',
};

/**
 * The one place where any failure of an HTTP request becomes the contract's error body. Unknown failures answer 500
 * with a correlation id that is also logged with the cause, so that no stack trace ever reaches a client.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    // The request's id (X-Request-Id, set by the request logging middleware) doubles as the correlation id of a 500.
    const requestId = (response.locals as { requestId?: string } | undefined)?.requestId;
    const body = this.toBody(exception, requestId);
    if (response.headersSent) return;
    if (exception instanceof DomainError && exception.retryAfterSeconds !== undefined) {
      response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    }
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, requestId: string | undefined): ErrorBody {
    if (exception instanceof DomainError) {
      return { statusCode: statusOf(exception.code), code: exception.code, message: exception.message };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = CODE_FOR_STATUS[status];
      if (code) return { statusCode: status, code, message: this.messageOf(exception, code) };
    }
    if (isInvalidInput(exception)) {
      return { statusCode: 400, code: 'validation_failed', message: 'The request holds a value the service cannot store.' };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`database unavailable: ${(exception as Error).message}`);
      return { statusCode: 503, code: 'service_unavailable', message: 'The database is unreachable; retry later.' };
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
        // Parser errors carry a message that echoes input ("Unexpected token ...", "Failed to decode param '%E0'"):
        // say what is wrong without echoing it.
        if (exception.getStatus() === 415) return 'Unsupported content type; send JSON.';
        if (exception.cause instanceof URIError) return 'The path holds a malformed percent-escape.';
        if (exception.cause instanceof SyntaxError) return 'The request body is not valid JSON.';
        return 'The request is malformed.';
      case 'not_found':
        return 'No such route.';
      default:
        return exception.message;
    }
  }
}
