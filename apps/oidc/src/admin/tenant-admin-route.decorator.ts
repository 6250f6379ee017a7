import { CustomDecorator, SetMetadata } from '@nestjs/common';

/** Metadata key of the routes a signed-in tenant administrator may use for their own tenant. */
export const TENANT_ADMIN_ROUTE = 'tenantAdminRoute';

/**
 * Marks a controller or route under `/admin/v1/tenants/:slug/` as open to the
 * administrators of tenant `:slug` (INTERFACES.md: a user with the role `admin`
 * may manage their own tenant's users); the operator's token is accepted as everywhere.
 */
export const TenantAdminRoute = (): CustomDecorator => SetMetadata(TENANT_ADMIN_ROUTE, true);
