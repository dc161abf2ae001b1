import { Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@app/common';
import type { AdminAccount, AdminDevice, AdminLiveStats, AdminPage, AdminQrSession, AdminQrSessionDetail, AdminSignInStats } from '@app/contract';
import {
  AdminAccountListResponse,
  AdminDeviceListResponse,
  AdminQrSessionDetailResponse,
  AdminQrSessionPageResponse,
  AdminRevokeResponse,
  AdminLiveStatsResponse,
  AdminSignInStatsResponse,
} from './dto/admin.responses';
import { AdminAuth } from './admin.guard';
import { AdminService } from './admin.service';
import { AdminAccountsQuery, AdminDeviceParams, AdminDevicesQuery, AdminQrSessionParams, SignInStatsQuery } from './dto/admin-params';
import { ListQrSessionsQuery } from './dto/list-qr-sessions.query';

/** Contract §5: who signed in where, and how. Admins only. */
@ApiTags('admin')
@Controller('admin')
@AdminAuth()
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get('qr-sessions')
  @ApiOperation({ summary: 'QR sessions, newest first, filtered and cursor-paginated' })
  @ApiOkResponse({ type: AdminQrSessionPageResponse })
  @Header('Cache-Control', 'no-store')
  listSessions(@Query() query: ListQrSessionsQuery): Promise<AdminPage<AdminQrSession>> {
    return this.admin.listSessions(query);
  }

  @Get('qr-sessions/:id')
  @ApiOperation({ summary: 'One QR session with its audit trail' })
  @ApiOkResponse({ type: AdminQrSessionDetailResponse })
  @ApiErrors('qr_not_found')
  @Header('Cache-Control', 'no-store')
  getSession(@Param() { id }: AdminQrSessionParams): Promise<AdminQrSessionDetail> {
    return this.admin.getSession(id);
  }

  @Get('devices')
  @ApiOperation({ summary: "An account's devices with their tokens' state" })
  @ApiOkResponse({ type: AdminDeviceListResponse })
  @ApiErrors('not_found')
  @Header('Cache-Control', 'no-store')
  listDevices(@Query() { accountId }: AdminDevicesQuery): Promise<{ items: AdminDevice[] }> {
    return this.admin.listDevices(accountId);
  }

  @Post('devices/:accountId/:deviceId/revoke')
  @ApiOperation({ summary: 'Sign a device out: its tokens answer token_revoked at once' })
  @ApiOkResponse({ type: AdminRevokeResponse })
  @ApiErrors('not_found')
  @HttpCode(200)
  revokeDevice(@Param() { accountId, deviceId }: AdminDeviceParams): Promise<{ accountId: string; deviceId: string; revokedTokens: number }> {
    return this.admin.revokeDevice(accountId, deviceId);
  }

  /** An extension for the admin page: find an account by (part of) its username or display name. */
  @Get('accounts')
  @ApiOperation({ summary: 'Find accounts (an extension for the admin page)' })
  @ApiOkResponse({ type: AdminAccountListResponse })
  @Header('Cache-Control', 'no-store')
  searchAccounts(@Query() { query }: AdminAccountsQuery): Promise<{ items: AdminAccount[] }> {
    return this.admin.searchAccounts(query);
  }

  /** An extension for the admin page's chart. */
  @Get('stats/sign-ins')
  @ApiOperation({ summary: 'Sessions that ended per hour, by outcome, over the last 24 h or 7 d (an extension for the admin page)' })
  @ApiOkResponse({ type: AdminSignInStatsResponse })
  @Header('Cache-Control', 'no-store')
  signInStats(@Query() { range }: SignInStatsQuery): Promise<AdminSignInStats> {
    return this.admin.signInStats(range);
  }

  /** An extension for the admin page's gauges. */
  @Get('stats/live')
  @ApiOperation({
    summary: 'Connected desktops, waiting long-polls and the median push delay over every process (an extension for the admin page)',
  })
  @ApiOkResponse({ type: AdminLiveStatsResponse })
  @Header('Cache-Control', 'no-store')
  liveStats(): Promise<AdminLiveStats> {
    return this.admin.liveStats();
  }
}
