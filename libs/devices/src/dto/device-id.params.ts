import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { DEVICE_ID_PATTERN } from '@app/contract';

export class DeviceIdParams {
  @ApiProperty({ example: 'alice-tablet-1' })
  @IsString()
  @Matches(DEVICE_ID_PATTERN, { message: 'deviceId must be 8-128 characters of A-Z a-z 0-9 . _ : -' })
  deviceId: string;
}
