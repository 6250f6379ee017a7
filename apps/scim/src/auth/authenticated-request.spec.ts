import { AuthenticatedRequest, principalOf } from './authenticated-request';

describe('principalOf', () => {
  it('returns the principal the guard attached', () => {
    const principal = { tenantId: 't-1', tenantSlug: 'acme', tokenId: 'k-1' };
    expect(principalOf({ scimPrincipal: principal } as AuthenticatedRequest)).toBe(principal);
  });

  it('fails loudly when the guard did not run, rather than serve a request without a tenant', () => {
    expect(() => principalOf({} as AuthenticatedRequest)).toThrow(/ScimAuthGuard/);
  });
});
