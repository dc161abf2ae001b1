import { InitialSchema1795614451659 } from './1795614451659-InitialSchema';
import { AddRateLimitCounters1795616000000 } from './1795616000000-AddRateLimitCounters';
import { DescribeSchemaAndAddAdminViews1795616100000 } from './1795616100000-DescribeSchemaAndAddAdminViews';
import { AddDeviceAuthorizations1795839641052 } from './1795839641052-AddDeviceAuthorizations';
import { IndexEventsByTypeAndTime1795840301427 } from './1795840301427-IndexEventsByTypeAndTime';
import { AddEventOutbox1795840400000 } from './1795840400000-AddEventOutbox';
import { AddLoginFailureCounters1795842863090 } from './1795842863090-AddLoginFailureCounters';
import { AddServiceSecrets1795842909517 } from './1795842909517-AddServiceSecrets';
import { NameClientDeviceIdsInViews1795900000000 } from './1795900000000-NameClientDeviceIdsInViews';

/** Every migration, in order. Generated with `npm run migration:generate --name=<Name>`, then reviewed. */
export const MIGRATIONS: Function[] = [
  InitialSchema1795614451659,
  AddRateLimitCounters1795616000000,
  DescribeSchemaAndAddAdminViews1795616100000,
  AddDeviceAuthorizations1795839641052,
  IndexEventsByTypeAndTime1795840301427,
  AddEventOutbox1795840400000,
  AddLoginFailureCounters1795842863090,
  AddServiceSecrets1795842909517,
  NameClientDeviceIdsInViews1795900000000,
];
