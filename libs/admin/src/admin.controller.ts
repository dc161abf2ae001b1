import { Controller, Get, Header, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { AdminAccount, AdminDevice, AdminPage, AdminQrSession, AdminQrSessionDetail } from '@app/contract';
import { AccessTokenGuard } from '@app/tokens';
import { AdminGuard } from './admin.guard';
import { AdminService } from './admin.service';
import { AdminAccountsQuery, AdminDeviceParams, AdminDevicesQuery, AdminQrSessionParams } from './dto/admin-params';
import { ListQrSessionsQuery } from './dto/list-qr-sessions.query';

/** Contract §5: who signed in where, and how. Admins only. */
@Controller('admin')
@UseGuards(AccessTokenGuard, AdminGuard)
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get('qr-sessions')
  @Header('Cache-Control', 'no-store')
  listSessions(@Query() query: ListQrSessionsQuery): Promise<AdminPage<AdminQrSession>> {
    return this.admin.listSessions(query);
  }

  @Get('qr-sessions/:id')
  @Header('Cache-Control', 'no-store')
  getSession(@Param() { id }: AdminQrSessionParams): Promise<AdminQrSessionDetail> {
    return this.admin.getSession(id);
  }

  @Get('devices')
  @Header('Cache-Control', 'no-store')
  listDevices(@Query() { accountId }: AdminDevicesQuery): Promise<{ items: AdminDevice[] }> {
    return this.admin.listDevices(accountId);
  }

  @Post('devices/:accountId/:deviceId/revoke')
  @HttpCode(200)
  revokeDevice(@Param() { accountId, deviceId }: AdminDeviceParams): Promise<{ accountId: string; deviceId: string; revokedTokens: number }> {
    return this.admin.revokeDevice(accountId, deviceId);
  }

  /** An extension for the admin page: find an account by (part of) its username or display name. */
  @Get('accounts')
  @Header('Cache-Control', 'no-store')
  searchAccounts(@Query() { query }: AdminAccountsQuery): Promise<{ items: AdminAccount[] }> {
    return this.admin.searchAccounts(query);
  }
}
