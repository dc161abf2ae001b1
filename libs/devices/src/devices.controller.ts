import { Controller, Delete, Get, HttpCode, Param, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentAuth, type AuthContext } from '@app/tokens';
import { DevicesService, type DeviceListItem } from './devices.service';
import { DeviceIdParams } from './dto/device-id.params';

@Controller('devices')
@UseGuards(AccessTokenGuard)
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get()
  async list(@CurrentAuth() auth: AuthContext): Promise<{ items: DeviceListItem[] }> {
    return { items: await this.devices.listSignedIn(auth.accountId, auth.deviceRowId) };
  }

  @Delete(':deviceId')
  @HttpCode(204)
  async signOut(@CurrentAuth() auth: AuthContext, @Param() params: DeviceIdParams): Promise<void> {
    await this.devices.signOut(auth.accountId, params.deviceId);
  }
}
