import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from '../errors/domain.error';

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((text) =>
      // class-validator names only the leaf property; show the full path so nested fields are unambiguous.
      text.startsWith(error.property) ? path + text.slice(error.property.length) : `${path}: ${text}`,
    );
    return [...own, ...describe(error.children ?? [], path)];
  });
}

/** Formats class-validator errors as one human sentence. */
export function describeValidationErrors(errors: ValidationError[]): string {
  const lines = [...new Set(describe(errors))];
  return lines.length > 0 ? lines.join('; ') : 'The request is malformed.';
}

/** The global pipe: whitelisting DTOs, converting types, and failing with the contract's `validation_failed`. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new DomainError('validation_failed', describeValidationErrors(errors)),
  });
}
