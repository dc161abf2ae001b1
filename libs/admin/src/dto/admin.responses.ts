import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  DEVICE_TYPES,
  QR_EVENT_TYPES,
  QR_STATUSES,
  type AdminAccount,
  type AdminDeviceGrant,
  type AdminDevice,
  type AdminQrSession,
  type AdminQrSessionDetail,
  type AdminQrSessionEvent,
  type DeviceType,
  type QrEventType,
  type QrStatus,
  type TokenState,
} from '@app/contract';

class AdminDesktopResponse {
  @ApiProperty() deviceId: string;
  @ApiProperty({ enum: DEVICE_TYPES }) type: DeviceType;
  @ApiPropertyOptional({ type: String, nullable: true }) name: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) ip: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) userAgent: string | null;
}

class AdminAccountRefResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
}

class AdminPhoneResponse {
  @ApiProperty() deviceId: string;
  @ApiProperty({ enum: DEVICE_TYPES }) type: DeviceType;
  @ApiPropertyOptional({ type: String, nullable: true }) name: string | null;
}

class AdminDeviceGrantResponse implements AdminDeviceGrant {
  @ApiProperty({ example: 'my-cli' }) clientId: string;
  @ApiProperty({ example: 5, description: '5, plus 5 for every slow_down.' }) pollIntervalSeconds: number;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) lastPolledAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'When the token endpoint handed out the token (once).' })
  tokenIssuedAt: string | null;
}

export class AdminQrSessionResponse implements AdminQrSession {
  @ApiProperty() id: string;
  @ApiProperty({ enum: QR_STATUSES }) status: QrStatus;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) scannedAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) confirmedAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) rejectedAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) cancelledAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) expiredAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) scanTicketExpiresAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) scanTicketUsedAt: string | null;
  @ApiProperty({ type: AdminDesktopResponse, description: 'The desktop that asked.' }) desktop: AdminDesktopResponse;
  @ApiPropertyOptional({ type: AdminAccountRefResponse, nullable: true, description: 'The account that scanned.' })
  account: AdminAccountRefResponse | null;
  @ApiPropertyOptional({ type: AdminPhoneResponse, nullable: true, description: 'The phone that scanned.' }) phone: AdminPhoneResponse | null;
  @ApiProperty({ description: 'Whether confirmation issued the desktop a token (never the token).' }) loginIssued: boolean;
  @ApiPropertyOptional({
    type: AdminDeviceGrantResponse,
    nullable: true,
    description: 'For a session made by the OAuth device grant: its client and polling; null for a QR login.',
  })
  deviceGrant: AdminDeviceGrantResponse | null;
}

class AdminQrSessionEventResponse implements AdminQrSessionEvent {
  @ApiProperty({ enum: QR_EVENT_TYPES }) type: QrEventType;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiPropertyOptional({ type: String, nullable: true }) ip: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) userAgent: string | null;
  @ApiPropertyOptional({ format: 'uuid' }) accountId?: string;
  @ApiPropertyOptional({ description: 'X-Device-Id of the acting client.' }) deviceId?: string;
}

export class AdminQrSessionDetailResponse extends AdminQrSessionResponse implements AdminQrSessionDetail {
  @ApiProperty({ type: [AdminQrSessionEventResponse], description: 'The audit trail, oldest first.' })
  events: AdminQrSessionEventResponse[];
}

export class AdminQrSessionPageResponse {
  @ApiProperty({ type: [AdminQrSessionResponse] }) items: AdminQrSessionResponse[];
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last.' })
  nextCursor: string | null;
}

class AdminTokenResponse {
  @ApiProperty({ enum: ['password', 'qr'] }) grant: 'password' | 'qr';
  @ApiProperty({ format: 'date-time' }) issuedAt: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, enum: ['logout', 'device_signed_out', 'admin'] }) revokeReason: string | null;
  @ApiProperty({ enum: ['active', 'revoked', 'expired'] }) state: TokenState;
}

class AdminDeviceResponse implements AdminDevice {
  @ApiProperty({ format: 'uuid' }) accountId: string;
  @ApiProperty() id: string;
  @ApiProperty({ enum: DEVICE_TYPES }) type: DeviceType;
  @ApiPropertyOptional({ type: String, nullable: true }) name: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) lastSeenAt: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) signedOutAt: string | null;
  @ApiProperty({ type: [AdminTokenResponse] }) tokens: AdminTokenResponse[];
}

export class AdminDeviceListResponse {
  @ApiProperty({ type: [AdminDeviceResponse] }) items: AdminDeviceResponse[];
}

export class AdminRevokeResponse {
  @ApiProperty({ format: 'uuid' }) accountId: string;
  @ApiProperty() deviceId: string;
  @ApiProperty({ description: 'How many standing tokens were revoked.' }) revokedTokens: number;
}

class AdminAccountResponse implements AdminAccount {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: ['user', 'admin'] }) role: 'user' | 'admin';
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class AdminAccountListResponse {
  @ApiProperty({ type: [AdminAccountResponse] }) items: AdminAccountResponse[];
}

export class SignInOutcomeCountsResponse {
  @ApiProperty({ description: 'Sessions the phone confirmed: sign-ins.' }) confirmed: number;
  @ApiProperty({ description: 'Sessions the phone rejected.' }) rejected: number;
  @ApiProperty({ description: 'Sessions nobody confirmed in time.' }) expired: number;
  @ApiProperty({ description: 'Sessions the desktop withdrew.' }) cancelled: number;
}

export class SignInHourResponse extends SignInOutcomeCountsResponse {
  @ApiProperty({ format: 'date-time', description: 'Start of the UTC hour.' }) start: string;
}

export class AdminSignInStatsResponse {
  @ApiProperty({ enum: ['24h', '7d'] }) range: '24h' | '7d';
  @ApiProperty({ example: 3600 }) bucketSeconds: number;
  @ApiProperty({ format: 'date-time', description: 'Start of the first hour.' }) from: string;
  @ApiProperty({ format: 'date-time', description: 'End of the last hour (the current one, still running).' }) to: string;
  @ApiProperty({ type: [SignInHourResponse], description: 'Every hour of the range, oldest first, zeros included.' }) hours: SignInHourResponse[];
  @ApiProperty({ type: SignInOutcomeCountsResponse }) totals: SignInOutcomeCountsResponse;
}

export class PushDelayResponse {
  @ApiProperty({ description: 'Deliveries measured (the last 1000 at most per process).' }) count: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Median seconds from a committed change to its event written to the desktop; null before the first.',
  })
  medianSeconds: number | null;
}

export class AdminLiveStatsResponse {
  @ApiProperty({ description: 'Desktops following a session over Socket.IO (/qr), over every process.' }) connectedDesktops: number;
  @ApiProperty({ description: 'Long-poll requests held, over every process.' }) waitingLongPolls: number;
  @ApiProperty({ type: PushDelayResponse, description: "The processes' medians, weighted by their deliveries: exact with one process." })
  pushDelay: PushDelayResponse;
  @ApiProperty({ description: 'How many processes reported in the last 6 seconds (this one included).' }) processes: number;
  @ApiProperty({ format: 'date-time' }) at: string;
}
