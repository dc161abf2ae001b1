import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { QR_STATUSES, type QrStatus } from '@app/contract';

/** Long-poll parameters: `?wait=<0-30 seconds>&since=<status>`. */
export class WatchQrSessionQuery {
  @ApiPropertyOptional({ minimum: 0, maximum: 30, description: 'Long-poll: hold the answer up to this many seconds while the status equals since.' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'wait must be a number of seconds from 0 to 30' })
  @Min(0, { message: 'wait must be a number of seconds from 0 to 30' })
  @Max(30, { message: 'wait must be a number of seconds from 0 to 30' })
  wait?: number;

  @ApiPropertyOptional({ enum: QR_STATUSES, description: 'The status the client has; answered at once when it differs.' })
  @IsOptional()
  @IsIn(QR_STATUSES as unknown as string[], { message: `since must be one of ${QR_STATUSES.join(', ')}` })
  since?: QrStatus;
}
