import { ApiProperty } from '@nestjs/swagger';
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from '@app/contract';

/** The body of every error answer (contract §1), for the OpenAPI document. */
export class ErrorBodyResponse implements ErrorBody {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ enum: Object.keys(ERROR_STATUS), example: 'validation_failed', description: 'Stable and machine-readable: switch on it.' })
  code: ErrorCode;

  @ApiProperty({ example: 'device.id must be 8-128 characters of A-Z a-z 0-9 . _ : -' })
  message: string;
}
