const kebab = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/**
 * The action an admin route performs, named after its controller and handler:
 * `TenantUsersController.setRoles` is `tenant-users.set-roles`. Stable as long as the
 * code is, and a new route gets a name without anyone choosing one.
 */
export function auditAction(controller: string, handler: string): string {
  return `${kebab(controller.replace(/Controller$/, ''))}.${kebab(handler)}`;
}

/** The state-changing methods: every request of these under /admin/v1 is audited. */
export function isAuditedRequest(method: string, route: string | undefined): boolean {
  return route !== undefined && route.startsWith('/admin/v1/') && !['GET', 'HEAD', 'OPTIONS'].includes(method);
}
