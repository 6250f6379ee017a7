import { z } from 'zod';
import { isHttpUrl, pageLimit } from '../errors/input-fields';
import { SLUG_PATTERN } from '../tenants/tenant.input';
import { isReservedQueueName } from '../deliveries/delivery-jobs';
import { isEventPattern } from './event-pattern';

/** BullMQ queue names become part of Redis keys: no `:` (the key separator), no spaces. */
const QUEUE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const name = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');

const url = z
  .string({ error: 'must be a string' })
  .max(2048, 'must be at most 2048 characters')
  .refine(isHttpUrl, 'must be an http:// or https:// URL');

const queue = z
  .string({ error: 'must be a string' })
  .regex(
    QUEUE_NAME_PATTERN,
    'must be 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit',
  )
  .refine((value) => !isReservedQueueName(value), 'names one of the gateway’s own queues');

const events = z
  .array(
    z
      .string({ error: 'must be a string' })
      .refine(isEventPattern, 'must be an event type (user.created), a family (user.*) or *'),
    { error: 'must be a list of event types' },
  )
  .min(1, 'must name at least one event type')
  .max(50, 'at most 50 event patterns')
  .transform((list) => [...new Set(list)]);

const tenant = z.string({ error: 'must be a tenant slug' }).regex(SLUG_PATTERN, 'must be a tenant slug');

const enabled = z.boolean({ error: 'must be true or false' });

/** `POST /admin/v1/subscriptions`: a webhook (`url`) or an internal BullMQ queue (`queue`). */
export const createSubscriptionInput = z
  .strictObject({ name, url: url.optional(), queue: queue.optional(), events, tenant: tenant.optional() })
  .superRefine((input, ctx) => {
    if ((input.url === undefined) === (input.queue === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'give either url (a webhook) or queue (an internal queue)',
      });
    }
  })
  .transform(({ url, queue, ...common }): CreateSubscriptionInput =>
    url !== undefined ? { kind: 'webhook', url, ...common } : { kind: 'queue', queue: queue!, ...common },
  );

interface CommonSubscriptionInput {
  readonly name: string;
  readonly events: string[];
  /** The tenant slug whose events are wanted; undefined means every tenant. */
  readonly tenant?: string | undefined;
}

export type CreateSubscriptionInput =
  | (CommonSubscriptionInput & { readonly kind: 'webhook'; readonly url: string })
  | (CommonSubscriptionInput & { readonly kind: 'queue'; readonly queue: string });

/** `PATCH /admin/v1/subscriptions/{id}`: any subset; `tenant: null` widens to every tenant. */
export const updateSubscriptionInput = z
  .strictObject({
    name: name.optional(),
    url: url.optional(),
    queue: queue.optional(),
    events: events.optional(),
    tenant: tenant.nullable().optional(),
    enabled: enabled.optional(),
  })
  .refine((input) => Object.values(input).some((value) => value !== undefined), 'nothing to change');
export type UpdateSubscriptionInput = z.output<typeof updateSubscriptionInput>;

/** `GET /admin/v1/subscriptions/{id}/deliveries` query parameters. */
export const listDeliveriesQuery = z.strictObject({
  status: z.enum(['pending', 'delivered', 'failed'], { error: 'must be pending, delivered or failed' }).optional(),
  limit: pageLimit,
  cursor: z.string().max(200).optional(),
});
export type ListDeliveriesQuery = z.output<typeof listDeliveriesQuery>;
