import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import { QR_STATUSES, type QrStatus } from '@app/contract';

export class ListQrSessionsQuery {
  @ApiPropertyOptional({ enum: QR_STATUSES })
  @IsOptional()
  @IsIn(QR_STATUSES as unknown as string[], { message: `status must be one of ${QR_STATUSES.join(', ')}` })
  status?: QrStatus;

  /** The account that scanned (and so signed in, or was asked to). */
  @ApiPropertyOptional({ format: 'uuid', description: 'The account that scanned.' })
  @IsOptional()
  @IsUUID('all', { message: 'accountId must be an account id (a UUID)' })
  accountId?: string;

  /** Sessions created at or after this time. */
  @ApiPropertyOptional({ format: 'date-time', description: 'Created at or after.' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 timestamp' })
  from?: string;

  /** Sessions created before this time. */
  @ApiPropertyOptional({ format: 'date-time', description: 'Created before.' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 timestamp' })
  to?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 200' })
  @Min(1, { message: 'limit must be a whole number from 1 to 200' })
  @Max(200, { message: 'limit must be a whole number from 1 to 200' })
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be a nextCursor of an earlier page' })
  cursor?: string;
}
