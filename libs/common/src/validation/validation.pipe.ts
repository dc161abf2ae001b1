import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
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

/** No request of the contract nests deeper than this; deeper JSON would only exhaust the transformer's stack. */
const MAX_DEPTH = 16;

/** Whether `value` nests deeper than `limit`, found without recursion (the point is to survive hostile input). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/** `?status=&from=` means "no filter": an empty query parameter counts as absent. */
function withoutEmptyValues(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== ''));
}

class ContractValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (nestsDeeperThan(value, MAX_DEPTH)) {
      throw new DomainError('validation_failed', `The ${metadata.type} nests deeper than ${MAX_DEPTH} levels.`);
    }
    return super.transform(metadata.type === 'query' ? withoutEmptyValues(value) : value, metadata);
  }
}

/** The global pipe: whitelisting DTOs, converting types, and failing with the contract's `validation_failed`. */
export function createValidationPipe(): ValidationPipe {
  return new ContractValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new DomainError('validation_failed', describeValidationErrors(errors)),
  });
}
