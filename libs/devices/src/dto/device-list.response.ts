import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DEVICE_TYPES, type DeviceType } from '@app/contract';
import type { DeviceListItem } from '../devices.service';

export class DeviceListItemResponse implements DeviceListItem {
  @ApiProperty({ example: 'alice-phone-1' })
  id: string;

  @ApiProperty({ enum: DEVICE_TYPES })
  type: DeviceType;

  @ApiPropertyOptional({ type: String, nullable: true })
  name: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  lastSeenAt: string;

  @ApiProperty({ description: 'Whether this is the device making the request.' })
  current: boolean;
}

export class DeviceListResponse {
  @ApiProperty({ type: [DeviceListItemResponse] })
  items: DeviceListItemResponse[];
}
