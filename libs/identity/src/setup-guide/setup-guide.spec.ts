import type { DomainView } from '../domains/domain-claim';
import { tenantSetup } from '../tenants/tenant.view';
import { SetupGuideInput, buildSetupGuide } from './setup-guide';
import { SETUP_GUIDE_HTML_HEADERS, renderSetupGuideHtml, renderSetupGuideMarkdown } from './setup-guide.render';

const setup = tenantSetup('acme', {
  publicUrl: 'https://login.gateway.example',
  scimPublicUrl: 'https://scim.gateway.example',
});
const domains: DomainView[] = [
  {
    domain: 'acme.example',
    status: 'operator',
    txtRecord: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    verifiedAt: null,
  },
  {
    domain: 'acme-corp.example',
    status: 'pending',
    txtRecord: { name: '_gateway-verification.acme-corp.example', value: 'gateway-verification=0123abcd' },
    createdAt: '2026-01-02T00:00:00.000Z',
    verifiedAt: null,
  },
];
const input = (overrides: Partial<SetupGuideInput> = {}): SetupGuideInput => ({
  idp: 'okta',
  tenant: { slug: 'acme', name: 'Acme Corp' },
  setup,
  domains,
  ...overrides,
});

describe('the setup guide', () => {
  it.each(['okta', 'entra'] as const)('gives %s every one of the tenant values, each as a value to copy', (idp) => {
    const markdown = renderSetupGuideMarkdown(buildSetupGuide(input({ idp })));
    const html = renderSetupGuideHtml(buildSetupGuide(input({ idp })));
    for (const value of Object.values(setup)) {
      expect(markdown).toContain(`\`${value}\``);
      expect(html).toContain(`<code>${value}</code>`);
    }
  });

  it('tells Okta what to enable and map, in order', () => {
    const markdown = renderSetupGuideMarkdown(buildSetupGuide(input()));
    expect(markdown).toMatch(/^# Set up Okta for Acme Corp\n/);
    const headings = markdown.match(/^## .*$/gm);
    expect(headings).toEqual([
      '## Values to enter',
      '## 1. Create the app integration',
      '## 2. Send group names with each sign-in',
      '## 3. Connect sign-in in the setup portal',
      '## 4. Turn on provisioning (SCIM)',
      '## 5. Push groups',
      '## 6. Email domains',
      '## 7. Back to the setup portal',
    ]);
    for (const feature of [
      'Push New Users',
      'Push Profile Updates',
      'Push Groups',
      'Create Users',
      'Update User Attributes',
      'Deactivate Users',
    ]) {
      expect(markdown).toContain(`**${feature}**`);
    }
    expect(markdown).toContain('| `userName` | `user.email` |');
    expect(markdown).toContain('`groups`');
  });

  it("tells the organization's administrators how to come back to the portal without a link", () => {
    const markdown = renderSetupGuideMarkdown(buildSetupGuide(input({ idp: 'entra' })));
    const origin = new URL(setup.initiateLoginUri).origin;
    expect(markdown).toContain('## 7. Back to the setup portal');
    expect(markdown).toContain(`\`${origin}/portal\``);
    expect(markdown).toContain(`\`${setup.initiateLoginUri}&return_to=${encodeURIComponent(`${origin}/portal`)}\``);
  });

  it('tells Entra where each URI goes and which attributes to map', () => {
    const markdown = renderSetupGuideMarkdown(buildSetupGuide(input({ idp: 'entra' })));
    expect(markdown).toMatch(/^# Set up Microsoft Entra ID for Acme Corp\n/);
    expect(markdown).toContain(`**Tenant URL** to \`${setup.scimBaseUrl}\``);
    expect(markdown).toContain(`**Home page URL** to \`${setup.initiateLoginUri}\``);
    expect(markdown).toContain('| `externalId` | `objectId` |');
    expect(markdown).toContain('| `userName` | `userPrincipalName` |');
    expect(markdown).toContain('**Sync only assigned users and groups**');
  });

  it('lists the domains in use and the TXT records still to publish', () => {
    const markdown = renderSetupGuideMarkdown(buildSetupGuide(input()));
    expect(markdown).toContain('Domains already in use: `acme.example`.');
    expect(markdown).toContain('| `_gateway-verification.acme-corp.example` | `gateway-verification=0123abcd` |');
    const none = renderSetupGuideMarkdown(buildSetupGuide(input({ domains: [] })));
    expect(none).toContain('No domain is in use yet');
    expect(none).not.toContain('TXT record name');
  });

  it('escapes a hostile tenant name in both formats', () => {
    const name = '<script>alert(1)</script> *Acme* | `x` [a](javascript:1)\n# Owned';
    const guide = buildSetupGuide(input({ tenant: { slug: 'acme', name } }));
    const markdown = renderSetupGuideMarkdown(guide);
    expect(markdown).toContain(
      '# Set up Okta for \\<script\\>alert(1)\\</script\\> \\*Acme\\* \\| \\`x\\` \\[a\\](javascript:1) # Owned\n',
    );
    expect(markdown).not.toMatch(/^# Owned/m);
    const html = renderSetupGuideHtml(guide);
    expect(html).not.toContain('<script');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });

  it('fences a value holding backticks or pipes so that it stays one value', () => {
    const odd = { ...setup, scimBaseUrl: 'https://scim.example/`a`|b' };
    const markdown = renderSetupGuideMarkdown(buildSetupGuide(input({ setup: odd })));
    expect(markdown).toContain('to ``https://scim.example/`a`|b``.');
    expect(markdown).toContain('| SCIM connector base URL | ``https://scim.example/`a`\\|b`` |');
  });

  it('is a pure function of its input', () => {
    expect(renderSetupGuideMarkdown(buildSetupGuide(input()))).toBe(renderSetupGuideMarkdown(buildSetupGuide(input())));
  });

  it('serves the printable page with no script and only its own style', () => {
    const csp = SETUP_GUIDE_HTML_HEADERS['content-security-policy'];
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; /);
    expect(csp).not.toContain('script-src');
    expect(renderSetupGuideHtml(buildSetupGuide(input()))).not.toMatch(/<script|\son\w+=/);
  });
});
