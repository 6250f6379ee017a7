import { auditAction, isAuditedRequest } from './audit-action';

describe('auditAction', () => {
  it.each([
    ['TenantsController', 'create', 'tenants.create'],
    ['TenantUsersController', 'setRoles', 'tenant-users.set-roles'],
    ['OidcConnectionController', 'put', 'oidc-connection.put'],
    ['ClientsController', 'rotateSecret', 'clients.rotate-secret'],
    ['ScimTokensController', 'revoke', 'scim-tokens.revoke'],
  ])('%s.%s is %s', (controller, handler, action) => {
    expect(auditAction(controller, handler)).toBe(action);
  });
});

describe('isAuditedRequest', () => {
  it.each([
    ['POST', '/admin/v1/tenants', true],
    ['PUT', '/admin/v1/tenants/:slug/oidc', true],
    ['PATCH', '/admin/v1/clients/:clientId', true],
    ['DELETE', '/admin/v1/subscriptions/:id', true],
    ['GET', '/admin/v1/tenants', false],
    ['HEAD', '/admin/v1/tenants', false],
    ['POST', '/auth/token', false],
    ['POST', '/admin/v1', false],
    ['POST', undefined, false],
  ])('%s %s: %s', (method, route, audited) => {
    expect(isAuditedRequest(method, route)).toBe(audited);
  });
});
