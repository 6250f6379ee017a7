import { createProductClientInput, productClientProblems } from './product-client.input';
import { clientServesTenant } from './product-client.row';

describe('product client input', () => {
  it.each([
    [
      { public: false, redirectUris: ['https://a.example/cb'], grantTypes: ['authorization_code', 'refresh_token'] },
      [],
    ],
    [{ public: false, redirectUris: [], grantTypes: ['client_credentials'] }, []],
    [{ public: true, redirectUris: ['https://a.example/cb'], grantTypes: ['authorization_code'] }, []],
    [{ public: false, redirectUris: [], grantTypes: ['authorization_code'] }, ['redirectUris']],
    [{ public: false, redirectUris: [], grantTypes: ['refresh_token', 'client_credentials'] }, ['grantTypes']],
    [
      {
        public: true,
        redirectUris: ['https://a.example/cb'],
        grantTypes: ['authorization_code', 'client_credentials'],
      },
      ['grantTypes'],
    ],
  ] as const)('%j has problems with %j', (shape, fields) => {
    expect(productClientProblems(shape).map((problem) => problem.split(':')[0])).toEqual(fields);
  });

  it('drops duplicate URIs, tenants and grant types', () => {
    const parsed = createProductClientInput.parse({
      name: ' Billing ',
      redirectUris: ['https://a.example/cb', 'https://a.example/cb'],
      tenants: ['acme', 'acme'],
      grantTypes: ['authorization_code', 'authorization_code'],
    });
    expect(parsed).toEqual({
      name: 'Billing',
      redirectUris: ['https://a.example/cb'],
      tenants: ['acme'],
      grantTypes: ['authorization_code'],
    });
  });

  it('serves a tenant it names, or every tenant with *', () => {
    expect(clientServesTenant({ tenants: ['*'] }, 'acme')).toBe(true);
    expect(clientServesTenant({ tenants: ['acme'] }, 'acme')).toBe(true);
    expect(clientServesTenant({ tenants: ['acme'] }, 'globex')).toBe(false);
  });
});
