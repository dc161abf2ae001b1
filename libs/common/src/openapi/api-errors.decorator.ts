import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ERROR_STATUS, type ErrorCode } from '@app/contract';
import { ErrorBodyResponse } from './error-body.response';

/**
 * Documents the error answers of a route by their contract codes, grouped by HTTP status:
 * `@ApiErrors('validation_failed', 'qr_not_found')`.
 */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, grouped]) =>
      ApiResponse({ status, type: ErrorBodyResponse, description: `\`code\`: ${grouped.map((code) => `\`${code}\``).join(', ')}` }),
    ),
  );
}
