import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SignInAlert } from '@app/contract';
import { EventBus, RecentKeys } from '@app/events';

export const SIGN_IN_ALERTS_CHANNEL = 'sign_in_alerts';

export interface SignInAlertMessage {
  /** Tells a repeat of the same alert (the token's id): the process that signed in hears it twice. */
  eventId?: string;
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
  private readonly delivered = new RecentKeys();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly bus: EventBus) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe(SIGN_IN_ALERTS_CHANNEL, (payload) => {
      const message = payload as SignInAlertMessage | null;
      if (typeof message?.accountId !== 'string' || typeof message.alert?.device?.id !== 'string') return;
      if (message.eventId !== undefined && !this.delivered.firstTime(message.eventId)) return;
      for (const listener of this.listeners) listener(message);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  publish(manager: EntityManager, accountId: string, alert: SignInAlert): Promise<void> {
    return this.bus.publish(manager, SIGN_IN_ALERTS_CHANNEL, { accountId, alert } satisfies SignInAlertMessage);
  }

  /** Publishes a whole message (with its `eventId`) inside the caller's transaction. */
  publishMessage(manager: EntityManager, message: SignInAlertMessage): Promise<void> {
    return this.bus.publish(manager, SIGN_IN_ALERTS_CHANNEL, message);
  }

  /** An alert whose sign-in has committed and was published: this process's listeners hear it now. */
  deliverLocally(message: SignInAlertMessage): void {
    this.bus.deliverLocally(SIGN_IN_ALERTS_CHANNEL, message);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
