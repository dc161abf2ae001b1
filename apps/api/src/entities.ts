import { Account } from '@app/accounts';
import { ServiceSecret } from '@app/database';
import { DeviceAuthorization } from '@app/device-grant';
import { Device } from '@app/devices';
import { EventOutboxMessage } from '@app/events';
import { QrSession, QrSessionEvent } from '@app/qr-sessions';
import { LoginFailureCounter, RateLimitCounter } from '@app/rate-limits';
import { AccessToken } from '@app/tokens';

/**
 * Every entity of the schema, listed by the composition root: the app's DataSource, the TypeORM CLI (ormconfig.ts)
 * and the migrations drift test use it. A new entity goes here and into a migration.
 */
export const ENTITIES = [
  Account,
  Device,
  AccessToken,
  QrSession,
  QrSessionEvent,
  RateLimitCounter,
  LoginFailureCounter,
  DeviceAuthorization,
  EventOutboxMessage,
  ServiceSecret,
];
