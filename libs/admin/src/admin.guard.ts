import { applyDecorators, CanActivate, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { ApiErrors, DomainError } from '@app/common';
import { AccountsRepository } from '@app/accounts';
import { DeviceAuth, type AuthenticatedRequest } from '@app/tokens';

/**
 * Lets only admins through. Runs after {@link AccessTokenGuard}; reads the role from the database on each request, so
 * taking the role away takes effect at once.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly accounts: AccountsRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { auth } = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const account = auth ? await this.accounts.findById(auth.accountId) : null;
    if (account?.role !== 'admin') throw new DomainError('forbidden', 'This needs an admin account.');
    return true;
  }
}

/** An admin-only route: the device-bound token first, then the role (guards run in the order they are given). */
export function AdminAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(DeviceAuth(), UseGuards(AdminGuard), ApiErrors('forbidden'));
}
