import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { DEVICE_ID_PATTERN, DEVICE_TYPES, type DeviceType } from '@app/contract';

/** `{id, type, name?}`: a client's description of itself, as sent at sign-in and at QR session creation. */
export class DeviceDto {
  @IsString()
  @Matches(DEVICE_ID_PATTERN, { message: 'id must be 8-128 characters of A-Z a-z 0-9 . _ : -' })
  id: string;

  @IsIn(DEVICE_TYPES as unknown as string[], { message: `type must be one of ${DEVICE_TYPES.join(', ')}` })
  type: DeviceType;

  @IsOptional()
  @IsString()
  @Length(1, 100, { message: 'name must be 1-100 characters' })
  name?: string;
}
