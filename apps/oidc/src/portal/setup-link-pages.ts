import type { SetupLinkRefusal } from '@app/identity/setup-links/setup-links.service';
import { PORTAL_PATH } from './portal-pages';

/** The page a setup link that does not open answers with: what happened, and what to do. */
export interface SetupLinkRefusalPage {
  readonly status: 404 | 410;
  readonly title: string;
  readonly message: string;
  /** Administrators need no link: the portal's page, where they sign in. */
  readonly next: { readonly href: string; readonly label: string };
}

const ADMINISTRATORS_WAY_IN = {
  href: PORTAL_PATH,
  label: 'Administrators of their organization in this service can sign in to the setup portal instead',
} as const;

/** 404 for a link that never existed; 410 for one that did and no longer opens. */
export function setupLinkRefusalPage(reason: SetupLinkRefusal): SetupLinkRefusalPage {
  return { ...refusal(reason), next: ADMINISTRATORS_WAY_IN };
}

function refusal(reason: SetupLinkRefusal): Omit<SetupLinkRefusalPage, 'next'> {
  switch (reason) {
    case 'unknown':
      return {
        status: 404,
        title: 'Setup link not found',
        message:
          'This setup link is not valid. Check that you opened the whole address from the message you received, or ask for a new link.',
      };
    case 'used':
      return {
        status: 410,
        title: 'Setup link already used',
        message: 'This setup link has already been used: each link opens the setup portal once. Ask for a new link.',
      };
    case 'expired':
      return {
        status: 410,
        title: 'Setup link expired',
        message: 'This setup link has expired. Ask for a new link.',
      };
    case 'revoked':
      return {
        status: 410,
        title: 'Setup link revoked',
        message: 'This setup link was revoked and no longer opens the setup portal. Ask for a new link.',
      };
  }
}
