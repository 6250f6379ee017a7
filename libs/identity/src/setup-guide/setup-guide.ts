import type { DomainView } from '../domains/domain-claim';
import { entraSections } from './entra-setup-guide';
import { oktaSections } from './okta-setup-guide';
import {
  GuideBlock,
  GuideSection,
  Inline,
  SetupGuide,
  SetupGuideInput,
  Text,
  code,
  paragraph,
  ui,
} from './setup-guide.model';

export * from './setup-guide.model';

/** Builds the step-by-step guide (a pure function: the same input gives the same guide). */
export function buildSetupGuide(input: SetupGuideInput): SetupGuide {
  const idpName = input.idp === 'okta' ? 'Okta' : 'Microsoft Entra ID';
  return {
    title: `Set up ${idpName} for ${input.tenant.name}`,
    intro: [
      `These steps connect ${input.tenant.name}'s ${idpName} to the gateway: single sign-on (OpenID Connect) `,
      'and user and group provisioning (SCIM 2.0). Every value below is this organization’s own; copy it exactly. ',
      'Secrets (the client secret and the SCIM token) are never part of this guide.',
    ],
    sections: [
      ...(input.idp === 'okta' ? oktaSections(input.setup) : entraSections(input.setup)),
      domainsSection(input.domains),
      returnSection(input),
    ],
  };
}

/** How the organization's administrators come back later, without a setup link. */
function returnSection(input: SetupGuideInput): GuideSection {
  const login = new URL(input.setup.initiateLoginUri);
  login.searchParams.set('return_to', `${login.origin}/portal`);
  return {
    title: '7. Back to the setup portal',
    blocks: [
      paragraph(
        `Once sign-in works, ${input.tenant.name}'s administrators (people with the role `,
        code('admin'),
        ') open the setup portal without a setup link: at ',
        code(`${login.origin}/portal`),
        ' with their work email, or straight from ',
        code(login.href),
        '. A setup link opens the portal once only.',
      ),
    ],
  };
}

function domainsSection(domains: readonly DomainView[]): GuideSection {
  const pending = domains.filter((domain) => domain.status === 'pending' && domain.txtRecord);
  const ready = domains.filter((domain) => domain.status !== 'pending').map((domain) => domain.domain);
  const blocks: GuideBlock[] = [
    paragraph(
      'People who type their work email at sign-in are sent to this organization’s sign-in by their email domain. ',
      ready.length > 0
        ? 'Domains already in use: '
        : 'No domain is in use yet: add yours in the setup portal’s domains step.',
      ...ready.flatMap((domain, i): Inline[] => [i > 0 ? ', ' : '', code(domain)]),
      ready.length > 0 ? '.' : '',
    ),
  ];
  if (pending.length > 0) {
    blocks.push(paragraph('Publish these DNS TXT records, then choose ', ui('Verify'), ' in the setup portal:'), {
      kind: 'table',
      head: ['TXT record name', 'Value'],
      rows: pending.map((domain): readonly [Text, Text] => [
        [code(domain.txtRecord!.name)],
        [code(domain.txtRecord!.value)],
      ]),
    });
  }
  return { title: '6. Email domains', blocks };
}
