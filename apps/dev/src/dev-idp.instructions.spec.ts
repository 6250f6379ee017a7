import { DEV_ACCOUNTS, devIdpInstructions, gatewayRedirects, oidcSetArguments } from './dev-idp.instructions';

const setup = {
  issuer: 'http://127.0.0.1:4000',
  publicUrl: 'http://localhost:3001/',
  tenant: 'acme',
  clientId: 'gateway-dev',
  clientSecret: 'dev-idp-secret',
  password: 'password',
  accounts: DEV_ACCOUNTS,
};

describe('dev IdP instructions', () => {
  it('prints the oidc set command with issuer, client, secret, scopes and groups claim', () => {
    expect(oidcSetArguments(setup).join(' ')).toBe(
      'oidc set acme --issuer http://127.0.0.1:4000 --client-id gateway-dev --client-secret dev-idp-secret ' +
        '--scopes openid profile email groups --groups-claim groups',
    );
    expect(devIdpInstructions(setup)).toContain(`  npm run -s cli -- ${oidcSetArguments(setup).join(' ')}\n`);
  });

  it('names the development settings, the users and where to sign in', () => {
    const text = devIdpInstructions(setup);
    expect(text).toContain('ALLOW_HTTP_ISSUERS=true ALLOW_PRIVATE_NETWORKS=true npm start');
    expect(text).toContain('Users (password "password"):');
    expect(text).toMatch(/alice@acme\.test +Alice Archer +groups: Engineering, Admins/);
    expect(text).toContain('npm run -s cli -- tenants create acme --name "Acme Corp" --domain acme.test');
    expect(text).toContain('http://localhost:3001/auth/login?tenant=acme');
  });

  it("registers the gateway's sign-in and sign-out redirect URIs for the tenant", () => {
    expect(gatewayRedirects('http://localhost:3001/', 'acme')).toEqual({
      signIn: 'http://localhost:3001/auth/callback',
      signOut: 'http://localhost:3001/auth/logged-out/acme',
    });
  });

  it('gives every development user a verified email', () => {
    expect(DEV_ACCOUNTS.every((account) => account.email_verified === true)).toBe(true);
  });
});
