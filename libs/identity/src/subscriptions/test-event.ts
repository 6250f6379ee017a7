import { randomUUID } from 'node:crypto';
import type { SubscriptionRow } from './subscription.row';

/** The body of a subscription's test delivery: shaped like an event, of the type `webhook.test`, about the subscription. */
export interface TestEvent {
  readonly id: string;
  readonly type: 'webhook.test';
  readonly occurredAt: string;
  readonly tenant: { readonly id: string; readonly slug: string } | null;
  readonly subject: { readonly type: 'subscription'; readonly id: string };
  readonly sequence: 0;
  readonly data: { readonly subscription: { readonly id: string; readonly name: string } };
}

export function testEvent(subscription: SubscriptionRow, now = new Date()): TestEvent {
  return {
    id: randomUUID(),
    type: 'webhook.test',
    occurredAt: now.toISOString(),
    tenant:
      subscription.tenantId && subscription.tenantSlug
        ? { id: subscription.tenantId, slug: subscription.tenantSlug }
        : null,
    subject: { type: 'subscription', id: subscription.id },
    sequence: 0,
    data: { subscription: { id: subscription.id, name: subscription.name } },
  };
}
