import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import { QR_STATUSES, type QrStatus } from '@app/contract';

export class ListQrSessionsQuery {
  @IsOptional()
  @IsIn(QR_STATUSES as unknown as string[], { message: `status must be one of ${QR_STATUSES.join(', ')}` })
  status?: QrStatus;

  /** The account that scanned (and so signed in, or was asked to). */
  @IsOptional()
  @IsUUID('all', { message: 'accountId must be an account id (a UUID)' })
  accountId?: string;

  /** Sessions created at or after this time. */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 timestamp' })
  from?: string;

  /** Sessions created before this time. */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 timestamp' })
  to?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 200' })
  @Min(1, { message: 'limit must be a whole number from 1 to 200' })
  @Max(200, { message: 'limit must be a whole number from 1 to 200' })
  limit?: number;

  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be a nextCursor of an earlier page' })
  cursor?: string;
}
