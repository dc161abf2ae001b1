import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DEVICE_TYPES, type AccountView, type DeviceType, type DeviceView, type LoginResult } from '@app/contract';

export class AccountViewResponse implements AccountView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'alice' })
  username: string;

  @ApiProperty({ example: 'Alice' })
  displayName: string;
}

export class DeviceViewResponse implements DeviceView {
  @ApiProperty({ example: 'alice-phone-1', description: 'The id the client chose (X-Device-Id).' })
  id: string;

  @ApiProperty({ enum: DEVICE_TYPES })
  type: DeviceType;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'iPhone' })
  name: string | null;
}

/** A sign-in: by password (`POST /api/auth/login`) or, for a desktop, by QR (`snapshot.login`). */
export class LoginResultResponse implements LoginResult {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <accessToken>`, together with `X-Device-Id` of `device.id`.' })
  accessToken: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType: 'Bearer';

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;

  @ApiProperty({ type: AccountViewResponse })
  account: AccountViewResponse;

  @ApiProperty({ type: DeviceViewResponse })
  device: DeviceViewResponse;
}

export class MeResponse {
  @ApiProperty({ type: AccountViewResponse })
  account: AccountViewResponse;

  @ApiProperty({ type: DeviceViewResponse })
  device: DeviceViewResponse;
}
