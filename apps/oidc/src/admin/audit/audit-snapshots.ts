import { Inject, Injectable } from '@nestjs/common';
import { AccessService, TenantsService, toTenantView } from '@app/identity';
import { toOidcConnectionView } from '@app/identity/oidc-connections/oidc-connection';
import { OidcConnectionsService } from '@app/identity/oidc-connections/oidc-connections.service';
import { toProductClientView } from '@app/identity/product-clients/product-client.view';
import { ProductClientsService } from '@app/identity/product-clients/product-clients.service';
import { toSubscriptionView } from '@app/identity/subscriptions/subscription.view';
import { SubscriptionsService } from '@app/identity/subscriptions/subscriptions.service';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';

/** What a snapshot is read for: the route's parameters and the tenant they name. */
export interface SnapshotTarget {
  readonly params: Record<string, string>;
  readonly tenantId: string | null;
}

type Snapshot = (target: SnapshotTarget) => Promise<unknown>;

/**
 * The state an action changes, read just before it, for the audit entry's `before` (its
 * `after` is the response). Views only, the same the admin API shows: never a secret.
 * Actions without a snapshot (creations, rotations, replays) have no `before`.
 */
@Injectable()
export class AuditSnapshots {
  private readonly snapshots: Record<string, Snapshot>;

  constructor(
    tenants: TenantsService,
    access: AccessService,
    connections: OidcConnectionsService,
    subscriptions: SubscriptionsService,
    clients: ProductClientsService,
    @Inject(APP_CONFIG) config: ResolvedConfig,
  ) {
    const tenant: Snapshot = async ({ params }) => toTenantView(await tenants.get(params.slug), config);
    const grants: Snapshot = async ({ params, tenantId }) => {
      const row = tenantId ? await access.userWithAccess(tenantId, params.id) : undefined;
      return row ? { roles: row.roles, teams: row.teams } : null;
    };
    const connection: Snapshot = async ({ params }) => toOidcConnectionView(await connections.get(params.slug));
    const subscription: Snapshot = async ({ params }) => toSubscriptionView(await subscriptions.get(params.id));
    const client: Snapshot = async ({ params }) => toProductClientView(await clients.get(params.clientId));
    this.snapshots = {
      'tenants.update': tenant,
      'tenants.delete': tenant,
      'tenant-users.set-roles': grants,
      'tenant-users.set-teams': grants,
      'group-roles.replace': async ({ params }) => ({ rules: await access.groupRoleRules(params.slug) }),
      'oidc-connection.put': connection,
      'oidc-connection.delete': connection,
      'subscriptions.update': subscription,
      'subscriptions.delete': subscription,
      'clients.update': client,
      'clients.delete': client,
    };
  }

  /** The state before `action`, or null when it has none (or there is nothing yet: a first PUT, an unknown id). */
  async before(action: string, target: SnapshotTarget): Promise<unknown> {
    const snapshot = this.snapshots[action];
    if (!snapshot) return null;
    // A failed read is the handler's to report (404, 400): the entry just has no `before`.
    return snapshot(target).catch(() => null);
  }
}
