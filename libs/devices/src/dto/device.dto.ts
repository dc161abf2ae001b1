import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { DEVICE_ID_PATTERN, DEVICE_TYPES, PRINTABLE_TEXT_PATTERN, type DeviceType } from '@app/contract';

/** `{id, type, name?}`: a client's description of itself, as sent at sign-in and at QR session creation. */
export class DeviceDto {
  @ApiProperty({ example: 'alice-phone-1', pattern: '^[A-Za-z0-9._:-]{8,128}$', description: 'Chosen by the client, stable per install.' })
  @IsString()
  @Matches(DEVICE_ID_PATTERN, { message: 'id must be 8-128 characters of A-Z a-z 0-9 . _ : -' })
  id: string;

  @ApiProperty({ enum: DEVICE_TYPES })
  @IsIn(DEVICE_TYPES as unknown as string[], { message: `type must be one of ${DEVICE_TYPES.join(', ')}` })
  type: DeviceType;

  @ApiPropertyOptional({ minLength: 1, maxLength: 100, example: 'iPhone' })
  @IsOptional()
  @IsString()
  @Length(1, 100, { message: 'name must be 1-100 characters' })
  @Matches(PRINTABLE_TEXT_PATTERN, { message: 'name must not contain control or format characters' })
  name?: string;
}
