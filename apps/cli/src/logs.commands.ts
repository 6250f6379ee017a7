import type { AuditEntryView } from '@app/identity/audit/audit-entry';
import type { LogPage } from '@app/identity/request-log/log-page';
import type { ScimRequestView, SignInFailureView } from '@app/identity/request-log/request-log.rows';
import type { Command } from 'commander';
import type { CliContext } from './cli-context';
import { table } from './table';

interface PageOptions {
  after?: string;
  limit?: string;
}

/** A query string of the options given, for a log read. */
function query(options: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(options)) if (value !== undefined) params.set(name, value);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The table, then how to read on when there is more. */
function withNext(page: LogPage<unknown>, rendered: string): string {
  const empty = page.entries.length === 0 ? 'nothing recorded' : rendered;
  return page.nextCursor === null ? empty : `${empty}\n\nmore: --after ${page.nextCursor}`;
}

const pageOptions = (command: Command): Command =>
  command
    .option('--after <cursor>', 'the page after this one (the "more: --after" of the previous page)')
    .option('--limit <n>', 'entries per page, 1 to 200 (default 50)');

/**
 * `audit list`, `tenants scim-requests <slug>`, `tenants sign-in-failures <slug>`: the records
 * the gateway keeps, newest first.
 */
export function registerLogCommands(program: Command, cli: CliContext): void {
  const audit = program.command('audit').description('read the audit log of admin actions');
  pageOptions(
    audit
      .command('list')
      .description('admin actions, newest first')
      .option('--tenant <slug>', "only this tenant's")
      .option('--actor <actor>', 'only this actor: operator:<id>, user:<id>, setup_link:<id>, or an id'),
  ).action(async (options: PageOptions & { tenant?: string; actor?: string }) => {
    const page = await cli
      .client()
      .request<LogPage<AuditEntryView>>(
        'GET',
        `/audit${query({ tenant: options.tenant, actor: options.actor, after: options.after, limit: options.limit })}`,
      );
    cli.print(page, () =>
      withNext(
        page,
        table(
          ['ID', 'AT', 'ACTOR', 'TENANT', 'ACTION', 'STATUS', 'TARGET'],
          page.entries.map((entry) => [
            entry.id,
            entry.occurredAt,
            `${entry.actor.type}:${entry.actor.label ?? entry.actor.id}`,
            entry.tenant?.slug ?? '-',
            entry.action,
            String(entry.status),
            Object.entries(entry.target)
              .filter(([name]) => name !== 'slug')
              .map(([name, value]) => `${name}=${value}`)
              .join(' ') || '-',
          ]),
        ),
      ),
    );
  });

  const tenants = program.commands.find((command) => command.name() === 'tenants');
  if (!tenants) throw new Error('the tenants command must be registered first');
  pageOptions(
    tenants
      .command('scim-requests <slug>')
      .description("a tenant's SCIM requests, newest first (never a query string or a body)")
      .option('--status <status>', 'only this status code (409) or class (4xx)'),
  ).action(async (slug: string, options: PageOptions & { status?: string }) => {
    const page = await cli
      .client()
      .request<LogPage<ScimRequestView>>(
        'GET',
        `/tenants/${encodeURIComponent(slug)}/scim-requests${query({ status: options.status, after: options.after, limit: options.limit })}`,
      );
    cli.print(page, () =>
      withNext(
        page,
        table(
          ['AT', 'METHOD', 'PATH', 'STATUS', 'SCIMTYPE', 'MS', 'USER AGENT', 'DETAIL'],
          page.entries.map((request) => [
            request.occurredAt,
            request.method,
            request.path,
            String(request.status),
            request.scimType ?? '-',
            String(request.durationMs),
            request.userAgent ?? '-',
            request.detail ?? '-',
          ]),
        ),
      ),
    );
  });

  pageOptions(
    tenants
      .command('sign-in-failures <slug>')
      .description("a tenant's refused sign-ins, newest first, with their reasons"),
  ).action(async (slug: string, options: PageOptions) => {
    const page = await cli
      .client()
      .request<LogPage<SignInFailureView>>(
        'GET',
        `/tenants/${encodeURIComponent(slug)}/sign-in-failures${query({ after: options.after, limit: options.limit })}`,
      );
    cli.print(page, () =>
      withNext(
        page,
        table(
          ['AT', 'STATUS', 'REASON', 'CLIENT', 'DETAIL'],
          page.entries.map((failure) => [
            failure.occurredAt,
            String(failure.status),
            failure.reason,
            // The product signed in to; '-' for a sign-in to the gateway itself.
            failure.clientId ?? '-',
            failure.detail ?? '-',
          ]),
        ),
      ),
    );
  });
}
