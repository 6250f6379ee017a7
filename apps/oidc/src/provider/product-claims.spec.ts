import type { UserAccessRow } from '@app/identity/access/user-access.row';
import { productClaims } from './product-claims';

const tenant = { id: 'b3c1a0de-0000-4000-8000-000000000001', slug: 'acme' };

function row(overrides: Partial<UserAccessRow> = {}): UserAccessRow {
  return {
    id: 'u-1',
    user_name: 'ada@acme.example',
    external_id: '00u-ada',
    active: true,
    emails: [{ value: 'ada.work@acme.example' }, { value: 'ada@acme.example', primary: true }],
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    display_name: null,
    roles: ['admin'],
    teams: ['core'],
    idp_groups: ['Engineering'],
    rule_roles: ['dev'],
    last_sign_in_at: null,
    scim_groups: ['Everyone'],
    ...overrides,
  };
}

describe('productClaims', () => {
  it('describes the user as they are now, with the gateway id as sub', () => {
    expect(productClaims(row(), tenant)).toEqual({
      sub: 'u-1',
      email: 'ada@acme.example',
      email_verified: true,
      name: 'Ada Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
      org: 'acme',
      org_id: tenant.id,
      roles: ['admin', 'dev'],
      teams: ['core'],
      groups: ['Engineering', 'Everyone'],
    });
  });

  it('leaves out what is not known', () => {
    const claims = productClaims(row({ emails: null, name: null, display_name: null }), tenant);
    expect(claims).not.toHaveProperty('email');
    expect(claims).not.toHaveProperty('email_verified');
    expect(claims).not.toHaveProperty('name');
    expect(claims).not.toHaveProperty('given_name');
    expect(claims.sub).toBe('u-1');
  });

  it('prefers the display name', () => {
    expect(productClaims(row({ display_name: 'Countess Lovelace' }), tenant).name).toBe('Countess Lovelace');
  });
});
