import type { TenantSetup } from '../tenants/tenant.view';
import { GuideSection, code, mappingTable, paragraph, steps, ui, valuesTable } from './setup-guide.model';

/** Okta: an OIDC web app integration with SCIM provisioning. */
export function oktaSections(setup: TenantSetup): GuideSection[] {
  return [
    {
      title: 'Values to enter',
      blocks: [
        valuesTable(setup, {
          signInRedirectUri: 'Sign-in redirect URI',
          signOutRedirectUri: 'Sign-out redirect URI',
          initiateLoginUri: 'Initiate login URI',
          scimBaseUrl: 'SCIM connector base URL',
        }),
      ],
    },
    {
      title: '1. Create the app integration',
      blocks: [
        steps(
          [
            'In the Okta Admin Console, open ',
            ui('Applications › Applications'),
            ' and choose ',
            ui('Create App Integration'),
            '.',
          ],
          ['Choose ', ui('OIDC - OpenID Connect'), ', then ', ui('Web Application'), ', then ', ui('Next'), '.'],
          ['Under ', ui('Grant type'), ', keep ', ui('Authorization Code'), ' only.'],
          ['Set ', ui('Sign-in redirect URIs'), ' to ', code(setup.signInRedirectUri), '.'],
          ['Set ', ui('Sign-out redirect URIs'), ' to ', code(setup.signOutRedirectUri), '.'],
          ['Under ', ui('Assignments'), ', choose who may sign in, then ', ui('Save'), '.'],
          [
            'On the ',
            ui('General'),
            ' tab, under ',
            ui('Login'),
            ', set ',
            ui('Login initiated by'),
            ' to ',
            ui('Either Okta or App'),
            ' and ',
            ui('Initiate login URI'),
            ' to ',
            code(setup.initiateLoginUri),
            '.',
          ],
        ),
      ],
    },
    {
      title: '2. Send group names with each sign-in',
      blocks: [
        steps(
          ['On the ', ui('Sign On'), ' tab, edit ', ui('OpenID Connect ID Token'), '.'],
          [
            'Set ',
            ui('Groups claim type'),
            ' to ',
            ui('Filter'),
            ', the claim name to ',
            code('groups'),
            ', and the filter to ',
            ui('Matches regex'),
            ' ',
            code('.*'),
            ' (or a narrower filter), then ',
            ui('Save'),
            '.',
          ],
        ),
      ],
    },
    {
      title: '3. Connect sign-in in the setup portal',
      blocks: [
        steps(
          [
            'Copy the ',
            ui('Client ID'),
            ' and ',
            ui('Client secret'),
            ' from the ',
            ui('General'),
            ' tab, and your Okta domain (for example ',
            code('https://example.okta.com'),
            ').',
          ],
          [
            'In the setup portal’s sign-in step, paste them and save: the gateway checks the issuer’s discovery document.',
          ],
          [
            'Run the test sign-in: a popup signs you in through Okta and shows the claims received, without creating anything.',
          ],
        ),
      ],
    },
    {
      title: '4. Turn on provisioning (SCIM)',
      blocks: [
        steps(
          [
            'On the ',
            ui('General'),
            ' tab, under ',
            ui('App Settings'),
            ', set ',
            ui('Provisioning'),
            ' to ',
            ui('SCIM'),
            ' and save.',
          ],
          [
            'On the ',
            ui('Provisioning'),
            ' tab, under ',
            ui('Integration'),
            ', set ',
            ui('SCIM connector base URL'),
            ' to ',
            code(setup.scimBaseUrl),
            '.',
          ],
          ['Set ', ui('Unique identifier field for users'), ' to ', code('userName'), '.'],
          [
            'Under ',
            ui('Supported provisioning actions'),
            ', tick ',
            ui('Push New Users'),
            ', ',
            ui('Push Profile Updates'),
            ' and ',
            ui('Push Groups'),
            ' (leave ',
            ui('Import'),
            ' actions off).',
          ],
          [
            'Set ',
            ui('Authentication Mode'),
            ' to ',
            ui('HTTP Header'),
            ' and paste the SCIM token from the setup portal as the ',
            ui('Bearer'),
            ' token.',
          ],
          [
            'Choose ',
            ui('Test Connector Configuration'),
            ': the setup portal turns green when the request arrives. Then save.',
          ],
          [
            'Under ',
            ui('Provisioning › To App'),
            ', enable ',
            ui('Create Users'),
            ', ',
            ui('Update User Attributes'),
            ' and ',
            ui('Deactivate Users'),
            '; leave ',
            ui('Sync Password'),
            ' off.',
          ],
        ),
        paragraph(
          'Okta’s default attribute mappings are what the gateway expects; check these under ',
          ui('To App'),
          ' › ',
          ui('Attribute Mappings'),
          ':',
        ),
        mappingTable(
          ['Gateway (SCIM) attribute', 'Okta value'],
          [
            ['userName', 'user.email'],
            ['name.givenName', 'user.firstName'],
            ['name.familyName', 'user.lastName'],
            ['emails[type eq "work"].value', 'user.email'],
            ['displayName', 'user.displayName'],
          ],
        ),
      ],
    },
    {
      title: '5. Push groups',
      blocks: [
        steps(
          [
            'On the ',
            ui('Push Groups'),
            ' tab, choose ',
            ui('Push Groups › Find groups by name'),
            ' and add the groups whose members get roles.',
          ],
          [
            'In the setup portal’s roles step, map each pushed group to roles; the preview shows who gains and loses what before you save.',
          ],
        ),
      ],
    },
  ];
}
