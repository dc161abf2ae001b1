import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, IsOptional, ValidateNested } from 'class-validator';
import { DESKTOP_DEVICE_TYPES } from '@app/contract';
import { DeviceDto } from '@app/devices';

/** Only desktops ask for QR sessions. */
export class DesktopDeviceDto extends DeviceDto {
  @ApiProperty({ enum: DESKTOP_DEVICE_TYPES })
  @IsIn(DESKTOP_DEVICE_TYPES as unknown as string[], {
    message: `type must be a desktop type: ${DESKTOP_DEVICE_TYPES.join(', ')}`,
  })
  declare type: DeviceDto['type'];
}

export class CreateQrSessionDto {
  @ApiProperty({ type: DesktopDeviceDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => DesktopDeviceDto)
  device: DesktopDeviceDto;
}

export class CreateQrSessionQuery {
  @ApiPropertyOptional({ enum: ['svg', 'png', 'none'], default: 'svg', description: 'The format of qrImage.' })
  @IsOptional()
  @IsIn(['svg', 'png', 'none'], { message: 'image must be one of svg, png, none' })
  image?: 'svg' | 'png' | 'none';
}
