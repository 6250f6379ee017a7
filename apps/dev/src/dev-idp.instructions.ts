import type { LocalIdpAccount } from './local-idp';

/** The people of the development IdP: one tenant's staff, with verified emails and groups. */
export const DEV_ACCOUNTS: readonly LocalIdpAccount[] = [
  {
    sub: 'alice',
    email: 'alice@acme.test',
    email_verified: true,
    name: 'Alice Archer',
    given_name: 'Alice',
    family_name: 'Archer',
    preferred_username: 'alice@acme.test',
    groups: ['Engineering', 'Admins'],
  },
  {
    sub: 'bob',
    email: 'bob@acme.test',
    email_verified: true,
    name: 'Bob Baker',
    given_name: 'Bob',
    family_name: 'Baker',
    preferred_username: 'bob@acme.test',
    groups: ['Sales'],
  },
];

/** What the printed instructions are about. */
export interface DevIdpSetup {
  readonly issuer: string;
  /** The gateway's PUBLIC_URL, where the IdP sends people back. */
  readonly publicUrl: string;
  readonly tenant: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly password: string;
  readonly accounts: readonly LocalIdpAccount[];
}

/** The scopes the printed `oidc set` asks for: `groups` makes the IdP send the groups claim. */
export const DEV_SCOPES = ['openid', 'profile', 'email', 'groups'] as const;

/** The CLI arguments that connect the tenant to the development IdP, as `npm run -s cli -- <these>`. */
export function oidcSetArguments(setup: DevIdpSetup): string[] {
  return [
    'oidc',
    'set',
    setup.tenant,
    '--issuer',
    setup.issuer,
    '--client-id',
    setup.clientId,
    '--client-secret',
    setup.clientSecret,
    '--scopes',
    ...DEV_SCOPES,
    '--groups-claim',
    'groups',
  ];
}

/** The redirect URIs the gateway uses for a tenant, which the IdP must know. */
export function gatewayRedirects(publicUrl: string, tenant: string): { signIn: string; signOut: string } {
  const base = publicUrl.replace(/\/+$/, '');
  return { signIn: `${base}/auth/callback`, signOut: `${base}/auth/logged-out/${tenant}` };
}

/** The text `npm run dev:idp` prints: who can sign in, the settings the gateway needs, and the commands to run. */
export function devIdpInstructions(setup: DevIdpSetup): string {
  const base = setup.publicUrl.replace(/\/+$/, '');
  const domains = [...new Set(setup.accounts.map((a) => a.email.split('@')[1]))];
  const emailWidth = Math.max(...setup.accounts.map((a) => a.email.length));
  const nameWidth = Math.max(...setup.accounts.map((a) => (a.name ?? '').length));
  return [
    `Development OpenID Provider at ${setup.issuer} (loopback only; users and sessions in memory).`,
    '',
    `Users (password "${setup.password}"):`,
    ...setup.accounts.map((a) =>
      `  ${a.email.padEnd(emailWidth)}  ${(a.name ?? '').padEnd(nameWidth)}  groups: ${a.groups?.join(', ') || '-'}`.trimEnd(),
    ),
    '',
    'The gateway must accept an http:// issuer on loopback; start it with:',
    '  ALLOW_HTTP_ISSUERS=true ALLOW_PRIVATE_NETWORKS=true npm start',
    '',
    'Create the tenant if it does not exist yet:',
    `  npm run -s cli -- tenants create ${setup.tenant} --name "${displayName(setup.tenant)}" --domain ${domains.join(' ')}`,
    '',
    'Connect it to this IdP:',
    `  npm run -s cli -- ${oidcSetArguments(setup).join(' ')}`,
    '',
    'Then sign in in a browser:',
    `  ${base}/auth/login?tenant=${encodeURIComponent(setup.tenant)}`,
    `and see who you are at ${base}/auth/me.`,
    '',
    'Ctrl-C stops the IdP.',
  ].join('\n');
}

/** `acme` → `Acme Corp`, a name good enough for a tenant tried out locally. */
function displayName(slug: string): string {
  return `${slug.charAt(0).toUpperCase()}${slug.slice(1)} Corp`;
}
