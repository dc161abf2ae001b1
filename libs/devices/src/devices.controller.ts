import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@app/common';
import { CurrentAuth, DeviceAuth, type AuthContext } from '@app/tokens';
import { DeviceListResponse } from './dto/device-list.response';
import { DevicesService, type DeviceListItem } from './devices.service';
import { DeviceIdParams } from './dto/device-id.params';

@ApiTags('devices')
@Controller('devices')
@DeviceAuth()
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get()
  @ApiOperation({ summary: "The account's signed-in devices" })
  @ApiOkResponse({ type: DeviceListResponse })
  async list(@CurrentAuth() auth: AuthContext): Promise<{ items: DeviceListItem[] }> {
    return { items: await this.devices.listSignedIn(auth.accountId, auth.deviceRowId) };
  }

  @Delete(':deviceId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign a device of this account out: every token of it is revoked' })
  @ApiNoContentResponse()
  @ApiErrors('not_found')
  async signOut(@CurrentAuth() auth: AuthContext, @Param() params: DeviceIdParams): Promise<void> {
    await this.devices.signOut(auth.accountId, params.deviceId);
  }
}
