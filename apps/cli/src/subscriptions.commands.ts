import type { DeliveryView } from '@app/identity/deliveries/delivery.view';
import type { ReplayResult } from '@app/identity/deliveries/delivery-replay.service';
import type { WebhookTestResult } from '@app/identity/deliveries/webhook-test.service';
import type { SubscriptionView } from '@app/identity/subscriptions/subscription.view';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CliContext } from './cli-context';
import { table } from './table';

/** `POST /subscriptions` answers only this: `secret` for a webhook, shown this once. */
interface CreatedSubscription {
  id: string;
  secret?: string;
}

interface CreateOptions {
  url?: string;
  queue?: string;
  events: string[];
  tenant?: string;
}

interface UpdateOptions {
  name?: string;
  url?: string;
  queue?: string;
  events?: string[];
  tenant?: string;
  allTenants?: boolean;
  enable?: boolean;
  disable?: boolean;
}

interface ReplayOptions {
  after?: string;
  since?: string;
  types?: string[];
}

interface DeliveriesOptions {
  status?: string;
  limit: string;
  cursor?: string;
}

const EVENTS_HELP = "event types (user.created), families ('user.*') or '*'";

/** `subscriptions create|list|show|update|delete|deliveries|retry|replay|test`: where lifecycle events are delivered. */
export function registerSubscriptionCommands(program: Command, cli: CliContext): void {
  const subscriptions = program
    .command('subscriptions')
    .description('send lifecycle events to a webhook or an internal BullMQ queue');

  subscriptions
    .command('create <name>')
    .description(
      "subscribe a webhook (--url) or a queue (--queue), e.g. create billing --url https://… --events 'user.*'",
    )
    .option('--url <url>', 'the webhook URL events are POSTed to')
    .option('--queue <name>', 'the BullMQ queue events are added to, for an internal service')
    .requiredOption('--events <pattern...>', EVENTS_HELP)
    .option('--tenant <slug>', "only this tenant's events (default: every tenant)")
    .action(async (name: string, options: CreateOptions) => {
      if (options.url !== undefined && options.queue !== undefined) {
        throw new InvalidArgumentError('give --url or --queue, not both');
      }
      if (options.url === undefined && options.queue === undefined) {
        throw new InvalidArgumentError('give either --url (a webhook) or --queue (an internal queue)');
      }
      const created = await cli.client().request<CreatedSubscription>('POST', '/subscriptions', {
        name,
        url: options.url,
        queue: options.queue,
        events: splitList(options.events),
        tenant: options.tenant,
      });
      cli.print(created, () => describeCreated(created, name, options));
    });

  subscriptions
    .command('list')
    .description('list every subscription (never their secrets)')
    .action(async () => {
      const { subscriptions: list } = await cli
        .client()
        .request<{ subscriptions: SubscriptionView[] }>('GET', '/subscriptions');
      cli.print(list, () =>
        table(
          ['ID', 'NAME', 'KIND', 'TARGET', 'EVENTS', 'TENANT', 'ENABLED', 'CREATED'],
          list.map((s) => [
            s.id,
            s.name,
            s.kind,
            target(s),
            s.events.join(','),
            s.tenant ?? '*',
            enabled(s),
            s.createdAt,
          ]),
        ),
      );
    });

  subscriptions
    .command('show <id>')
    .description('show a subscription (never its secret)')
    .action(async (id: string) => {
      const subscription = await cli.client().request<SubscriptionView>('GET', subscriptionPath(id));
      cli.print(subscription, () => describeSubscription(subscription));
    });

  subscriptions
    .command('update <id>')
    .description("change a subscription's name, target, events or tenant, or turn it on or off")
    .option('--name <name>', 'display name')
    .option('--url <url>', 'a new webhook URL (webhooks only)')
    .option('--queue <name>', 'a new queue (queue subscriptions only)')
    .option('--events <pattern...>', `replace the events: ${EVENTS_HELP}`)
    .addOption(new Option('--tenant <slug>', "only this tenant's events").conflicts('allTenants'))
    .option('--all-tenants', "every tenant's events")
    .addOption(new Option('--enable', 'resume deliveries').conflicts('disable'))
    .option('--disable', 'stop deliveries until enabled again')
    .action(async (id: string, options: UpdateOptions) => {
      const subscription = await cli.client().request<SubscriptionView>('PATCH', subscriptionPath(id), {
        name: options.name,
        url: options.url,
        queue: options.queue,
        events: options.events && splitList(options.events),
        tenant: options.allTenants ? null : options.tenant,
        enabled: options.enable ? true : options.disable ? false : undefined,
      });
      cli.print(subscription, () => describeSubscription(subscription));
    });

  subscriptions
    .command('delete <id>')
    .description('delete a subscription and its delivery log')
    .action(async (id: string) => {
      await cli.client().request('DELETE', subscriptionPath(id));
      cli.print({ deleted: id }, () => `deleted subscription ${id}`);
    });

  subscriptions
    .command('deliveries <id>')
    .description("a subscription's delivery log, newest first, a page at a time")
    .addOption(
      new Option('--status <status>', 'only deliveries in this state').choices(['pending', 'delivered', 'failed']),
    )
    .option('--limit <n>', 'deliveries per page (1 to 200)', '50')
    .option('--cursor <cursor>', 'the page after this cursor (printed below the previous page)')
    .action(async (id: string, options: DeliveriesOptions) => {
      const query = new URLSearchParams({ limit: options.limit });
      if (options.status !== undefined) query.set('status', options.status);
      if (options.cursor !== undefined) query.set('cursor', options.cursor);
      const page = await cli
        .client()
        .request<{ deliveries: DeliveryView[]; nextCursor: string | null }>(
          'GET',
          `${subscriptionPath(id)}/deliveries?${query.toString()}`,
        );
      cli.print(page, () => describeDeliveries(page.deliveries, page.nextCursor));
    });

  subscriptions
    .command('retry <id> <delivery-id>')
    .description('deliver a failed delivery again, as a new round of attempts')
    .action(async (id: string, deliveryId: string) => {
      const delivery = await cli
        .client()
        .request<DeliveryView>('POST', `${subscriptionPath(id)}/deliveries/${encodeURIComponent(deliveryId)}/retry`);
      cli.print(
        delivery,
        () => `delivery ${delivery.id} (${delivery.eventType} ${delivery.eventId}) is queued again: ${delivery.status}`,
      );
    });

  subscriptions
    .command('replay <id>')
    .description('deliver the events of the events feed again, with their original webhook-ids')
    .option('--after <cursor>', 'the events after this events feed cursor')
    .option('--since <time>', 'the events since this ISO 8601 date-time (e.g. 2026-12-01T00:00:00Z)')
    .option('--types <pattern...>', `only these of the subscription's events: ${EVENTS_HELP}`)
    .action(async (id: string, options: ReplayOptions) => {
      const body = {
        ...(options.after === undefined ? {} : { after: options.after }),
        ...(options.since === undefined ? {} : { since: options.since }),
        ...(options.types === undefined ? {} : { types: splitList(options.types) }),
      };
      const result = await cli.client().request<ReplayResult>('POST', `${subscriptionPath(id)}/replay`, body);
      cli.print(
        result,
        () =>
          `${result.replayed} ${result.replayed === 1 ? 'delivery' : 'deliveries'} queued again` +
          (result.through === null ? '.' : `, through events feed cursor ${result.through}.`),
      );
    });

  subscriptions
    .command('test <id>')
    .description('send a signed test event to a webhook now, and show how it answered')
    .action(async (id: string) => {
      const result = await cli.client().request<WebhookTestResult>('POST', `${subscriptionPath(id)}/test`);
      cli.print(result, () =>
        result.ok
          ? `The receiver answered ${result.status} in ${result.latencyMs} ms (test event ${result.event.id}).`
          : `The test event ${result.event.id} failed: ${result.error ?? `the receiver answered ${result.status}`}.`,
      );
      if (!result.ok) process.exitCode = 1;
    });
}

/** `--events 'user.*,group.created'` reads as well as `--events 'user.*' group.created`. */
function splitList(values: readonly string[]): string[] {
  return values.flatMap((value) => value.split(/[\s,]+/)).filter((value) => value !== '');
}

function subscriptionPath(id: string): string {
  return `/subscriptions/${encodeURIComponent(id)}`;
}

function target(subscription: SubscriptionView): string {
  return (subscription.kind === 'webhook' ? subscription.url : subscription.queue) ?? '-';
}

function enabled(subscription: SubscriptionView): string {
  if (subscription.enabled) return 'yes';
  return subscription.disabledReason === null ? 'no' : `no (${subscription.disabledReason})`;
}

function describeCreated(created: CreatedSubscription, name: string, options: CreateOptions): string {
  const scope = options.tenant === undefined ? 'every tenant' : `tenant ${options.tenant}`;
  const lines = [
    `${options.url === undefined ? 'Queue' : 'Webhook'} subscription ${created.id} (${name}) for ${scope}.`,
  ];
  if (created.secret !== undefined) {
    lines.push('Signing secret. Copy it now: it is not shown again.', '', `    ${created.secret}`);
  }
  return lines.join('\n');
}

function describeSubscription(subscription: SubscriptionView): string {
  return [
    `${subscription.name} (${subscription.id})`,
    `  kind     ${subscription.kind}`,
    subscription.kind === 'webhook' ? `  url      ${target(subscription)}` : `  queue    ${target(subscription)}`,
    `  events   ${subscription.events.join(', ')}`,
    `  tenant   ${subscription.tenant ?? 'every tenant'}`,
    `  enabled  ${enabled(subscription)}`,
    `  created  ${subscription.createdAt}`,
    `  updated  ${subscription.updatedAt}`,
  ].join('\n');
}

function describeDeliveries(deliveries: readonly DeliveryView[], cursor: string | null): string {
  const rows = table(
    ['ID', 'EVENT', 'SUBJECT', 'SEQ', 'STATUS', 'ATTEMPTS', 'LAST RESPONSE', 'LATENCY', 'CREATED'],
    deliveries.map((d) => [
      d.id,
      d.eventType,
      `${d.subject.type}/${d.subject.id}`,
      String(d.sequence),
      d.status,
      String(d.attempts),
      d.lastResponseStatus === null ? clip(d.lastError ?? '-', 40) : String(d.lastResponseStatus),
      d.latencyMs === null ? '-' : `${d.latencyMs} ms`,
      d.createdAt,
    ]),
  );
  return cursor === null ? rows : `${rows}\n\nmore deliveries: --cursor ${cursor}`;
}

/** Keeps a table row on one line; `--json` has the whole text. */
function clip(text: string, length: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length <= length ? line : `${line.slice(0, length - 1)}…`;
}
