import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { DEVICE_ID_PATTERN, SIGN_IN_STATS_RANGES, type SignInStatsRange } from '@app/contract';
import { PUBLIC_ID_PATTERN } from '@app/common';

export class AdminQrSessionParams {
  @ApiProperty()
  @IsString()
  @Matches(PUBLIC_ID_PATTERN, { message: 'id must be a QR session id (22 characters of A-Z a-z 0-9 _ -)' })
  id: string;
}

export class AdminDevicesQuery {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'accountId must be an account id (a UUID)' })
  accountId: string;
}

export class AdminDeviceParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'accountId must be an account id (a UUID)' })
  accountId: string;

  @ApiProperty({ example: 'alice-phone-1' })
  @IsString()
  @Matches(DEVICE_ID_PATTERN, { message: 'deviceId must be 8-128 characters of A-Z a-z 0-9 . _ : -' })
  deviceId: string;
}

export class AdminAccountsQuery {
  @ApiPropertyOptional({ description: 'Part of a username or display name.' })
  @IsOptional()
  @IsString()
  @Length(1, 64, { message: 'query must be 1-64 characters' })
  query?: string;
}

export class SignInStatsQuery {
  @ApiPropertyOptional({ enum: Object.keys(SIGN_IN_STATS_RANGES), default: '24h', description: 'The last 24 hours or the last 7 days.' })
  @IsOptional()
  @IsIn(Object.keys(SIGN_IN_STATS_RANGES), { message: 'range must be 24h or 7d' })
  range?: SignInStatsRange;
}
