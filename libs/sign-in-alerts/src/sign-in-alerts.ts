import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SignInAlert } from '@app/contract';
import { EventBus } from '@app/events';

export const SIGN_IN_ALERTS_CHANNEL = 'sign_in_alerts';

export interface SignInAlertMessage {
  accountId: string;
  alert: SignInAlert;
}

type Listener = (message: SignInAlertMessage) => void;

/**
 * Publishes a sign-in to the account's other devices, inside the transaction that issues the token (so an alert
 * exists if and only if the sign-in committed), and hands the alerts this process hears to its listeners.
 */
@Injectable()
export class SignInAlerts implements OnModuleInit, OnModuleDestroy {
  private readonly listeners = new Set<Listener>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly bus: EventBus) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe(SIGN_IN_ALERTS_CHANNEL, (payload) => {
      const message = payload as SignInAlertMessage | null;
      if (typeof message?.accountId !== 'string' || typeof message.alert?.device?.id !== 'string') return;
      for (const listener of this.listeners) listener(message);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  publish(manager: EntityManager, accountId: string, alert: SignInAlert): Promise<void> {
    return this.bus.publish(manager, SIGN_IN_ALERTS_CHANNEL, { accountId, alert } satisfies SignInAlertMessage);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
