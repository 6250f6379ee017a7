import { CustomDecorator, SetMetadata } from '@nestjs/common';

/** What a setup link may open: each scope is one step of the tenant's setup portal. */
export const PORTAL_SCOPES = ['oidc', 'scim', 'domains', 'roles', 'logs'] as const;
export type PortalScopeName = (typeof PORTAL_SCOPES)[number];

/** Metadata key of the routes the setup portal may use; the value is the scope they need, or `'any'`. */
export const PORTAL_SCOPE = 'portalScope';

/**
 * Marks a route under `/admin/v1/tenants/:slug/` as part of that tenant's setup
 * portal: besides the operator, a portal session of tenant `:slug` holding
 * `scope` (any scope when none is named) and a signed-in administrator of
 * that tenant may use it. Operator-only routes simply omit it.
 */
export const PortalScope = (scope?: PortalScopeName): CustomDecorator => SetMetadata(PORTAL_SCOPE, scope ?? 'any');
