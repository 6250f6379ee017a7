import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, OutboundAddressError, ResolvedConfig, assertPublicUrl } from '@app/platform';
import { IdentityError } from '../errors/identity-error';
import { SecretBox } from '../secrets/secret-box';
import { TenantsService } from '../tenants/tenants.service';
import { CreateSubscriptionInput, UpdateSubscriptionInput } from './subscription.input';
import { SubscriptionChanges, SubscriptionRepository } from './subscription.repository';
import { SubscriptionRow } from './subscription.row';
import { generateWebhookSecret } from './webhook-secret';

/** A new subscription; `secret` is set for webhooks and shown this once. */
export interface CreatedSubscription {
  readonly subscription: SubscriptionRow;
  readonly secret?: string;
}

/** Creates, changes and removes the operator's event subscriptions. */
@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly tenants: TenantsService,
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async create(input: CreateSubscriptionInput): Promise<CreatedSubscription> {
    if (input.kind === 'webhook') await this.assertPublicWebhook(input.url);
    const tenantId = input.tenant === undefined ? null : (await this.tenants.get(input.tenant)).id;
    const id = randomUUID();
    const secret = input.kind === 'webhook' ? generateWebhookSecret() : undefined;
    await this.subscriptions.insert({
      id,
      name: input.name,
      kind: input.kind,
      url: input.kind === 'webhook' ? input.url : null,
      queue: input.kind === 'queue' ? input.queue : null,
      // Sealed with the row's id as context: the ciphertext only opens for this subscription.
      secretSealed: secret === undefined ? null : this.secrets.seal(secret, id),
      events: input.events,
      tenantId,
    });
    return { subscription: await this.get(id), ...(secret === undefined ? {} : { secret }) };
  }

  list(): Promise<SubscriptionRow[]> {
    return this.subscriptions.list();
  }

  /** The subscription, or a not_found error. */
  async get(id: string): Promise<SubscriptionRow> {
    const subscription = await this.subscriptions.find(id);
    if (!subscription) throw IdentityError.notFound(`no subscription with id "${id}"`);
    return subscription;
  }

  async update(id: string, input: UpdateSubscriptionInput): Promise<SubscriptionRow> {
    const current = await this.get(id);
    if (input.url !== undefined && current.kind !== 'webhook')
      throw IdentityError.invalid('url: a queue subscription has no url');
    if (input.queue !== undefined && current.kind !== 'queue')
      throw IdentityError.invalid('queue: a webhook subscription has no queue');
    if (input.url !== undefined) await this.assertPublicWebhook(input.url);
    const changes: SubscriptionChanges = {
      name: input.name,
      url: input.url,
      queue: input.queue,
      events: input.events,
      enabled: input.enabled,
    };
    if (input.tenant !== undefined)
      changes.tenantId = input.tenant === null ? null : (await this.tenants.get(input.tenant)).id;
    if (!(await this.subscriptions.update(id, changes)))
      throw IdentityError.notFound(`no subscription with id "${id}"`);
    return this.get(id);
  }

  /**
   * A webhook URL must be a public address (unless ALLOW_PRIVATE_NETWORKS):
   * refused here with the reason, so the operator learns it now rather than
   * from failed deliveries; the worker checks again at every connection.
   */
  private async assertPublicWebhook(url: string): Promise<void> {
    try {
      await assertPublicUrl(url, { allowPrivateNetworks: this.config.allowPrivateNetworks });
    } catch (error) {
      if (!(error instanceof OutboundAddressError)) throw error;
      throw new IdentityError('unprocessable', `url: ${error.message}`, { cause: error });
    }
  }

  async delete(id: string): Promise<void> {
    if (!(await this.subscriptions.delete(id))) throw IdentityError.notFound(`no subscription with id "${id}"`);
  }
}
