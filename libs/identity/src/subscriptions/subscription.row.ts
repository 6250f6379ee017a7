/** A subscription as stored (`subscriptions`), with its tenant's slug. */
export interface SubscriptionRow {
  readonly id: string;
  readonly name: string;
  readonly kind: 'webhook' | 'queue';
  readonly url: string | null;
  readonly queue: string | null;
  /** AES-256-GCM sealed signing secret (SecretBox, context = subscription id); webhooks only. */
  readonly secretSealed: Buffer | null;
  readonly events: string[];
  readonly tenantId: string | null;
  readonly tenantSlug: string | null;
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
