import { Injectable, PipeTransform, type Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import { describeValidationErrors } from '@app/common';
import { OAuthError } from './oauth.error';

/**
 * Validates a form-encoded OAuth request into its DTO, the OAuth way (RFC 6749 §3.1): unknown parameters are ignored,
 * an empty parameter counts as absent, a repeated one is an error, and every refusal is `invalid_request`.
 * (The global pipe would refuse unknown fields with the contract's `validation_failed`.)
 */
@Injectable()
export class OAuthFormPipe<T extends object> implements PipeTransform<unknown, T> {
  private readonly names: string[];

  constructor(private readonly form: Type<T>) {
    // The parameters of the form are the properties its validation decorators name.
    const metadata = getMetadataStorage().getTargetValidationMetadatas(form, '', true, false);
    this.names = [...new Set(metadata.map((entry) => entry.propertyName))];
  }

  transform(value: unknown): T {
    const body = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    const parameters: Record<string, unknown> = {};
    for (const name of this.names) {
      if (!Object.prototype.hasOwnProperty.call(body, name)) continue;
      const parameter = body[name];
      if (Array.isArray(parameter)) throw new OAuthError('invalid_request', `${name} is repeated; send it once.`);
      if (parameter !== '') parameters[name] = parameter;
    }
    const instance = plainToInstance(this.form, parameters);
    const errors = validateSync(instance, { forbidUnknownValues: false });
    if (errors.length > 0) throw new OAuthError('invalid_request', describeValidationErrors(errors));
    return instance;
  }
}
