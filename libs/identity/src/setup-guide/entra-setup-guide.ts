import type { TenantSetup } from '../tenants/tenant.view';
import { GuideSection, code, mappingTable, paragraph, steps, ui, valuesTable } from './setup-guide.model';

/** Microsoft Entra ID: an app registration, its enterprise application provisioning by SCIM. */
export function entraSections(setup: TenantSetup): GuideSection[] {
  return [
    {
      title: 'Values to enter',
      blocks: [
        valuesTable(setup, {
          signInRedirectUri: 'Redirect URI (Web)',
          signOutRedirectUri: 'Second redirect URI (Web), used after sign-out',
          initiateLoginUri: 'Home page URL',
          scimBaseUrl: 'Tenant URL (provisioning)',
        }),
      ],
    },
    {
      title: '1. Register the application',
      blocks: [
        steps(
          [
            'In the Microsoft Entra admin center, open ',
            ui('Identity › Applications › App registrations'),
            ' and choose ',
            ui('New registration'),
            '.',
          ],
          [
            'Name it, keep ',
            ui('Accounts in this organizational directory only'),
            ', and under ',
            ui('Redirect URI'),
            ' choose ',
            ui('Web'),
            ' and enter ',
            code(setup.signInRedirectUri),
            '. Register.',
          ],
          [
            'Under ',
            ui('Authentication'),
            ', add a second Web redirect URI: ',
            code(setup.signOutRedirectUri),
            ' (Entra only returns to registered URIs after sign-out).',
          ],
          [
            'Under ',
            ui('Branding & properties'),
            ', set ',
            ui('Home page URL'),
            ' to ',
            code(setup.initiateLoginUri),
            '.',
          ],
          [
            'Under ',
            ui('Certificates & secrets'),
            ', create a ',
            ui('New client secret'),
            ' and copy its ',
            ui('Value'),
            ' now: Entra shows it once.',
          ],
        ),
      ],
    },
    {
      title: '2. Send email and groups with each sign-in',
      blocks: [
        steps(
          [
            'Under ',
            ui('Token configuration'),
            ', choose ',
            ui('Add optional claim'),
            ', token type ',
            ui('ID'),
            ', and tick ',
            code('email'),
            ' (accept the Microsoft Graph permission it asks for).',
          ],
          [
            'Choose ',
            ui('Add groups claim'),
            ', tick ',
            ui('Security groups'),
            ' (or ',
            ui('Groups assigned to the application'),
            '), and for the ID token emit ',
            ui('Group ID'),
            '.',
          ],
          [
            'Under ',
            ui('API permissions'),
            ', make sure ',
            code('openid'),
            ', ',
            code('profile'),
            ' and ',
            code('email'),
            ' (Microsoft Graph, delegated) are granted.',
          ],
        ),
      ],
    },
    {
      title: '3. Connect sign-in in the setup portal',
      blocks: [
        steps(
          [
            'From the app’s ',
            ui('Overview'),
            ', copy the ',
            ui('Application (client) ID'),
            ' and the ',
            ui('Directory (tenant) ID'),
            '.',
          ],
          [
            'In the setup portal’s sign-in step, enter the issuer ',
            code('https://login.microsoftonline.com/<Directory (tenant) ID>/v2.0'),
            ', the client ID and the client secret, and save.',
          ],
          [
            'Run the test sign-in: a popup signs you in through Entra and shows the claims received, without creating anything.',
          ],
        ),
      ],
    },
    {
      title: '4. Turn on provisioning (SCIM)',
      blocks: [
        steps(
          [
            'Open ',
            ui('Identity › Applications › Enterprise applications'),
            ', then the application registered above.',
          ],
          [
            'Under ',
            ui('Provisioning'),
            ', choose ',
            ui('Get started'),
            ' and set ',
            ui('Provisioning Mode'),
            ' to ',
            ui('Automatic'),
            '.',
          ],
          [
            'Under ',
            ui('Admin Credentials'),
            ', set ',
            ui('Tenant URL'),
            ' to ',
            code(setup.scimBaseUrl),
            ' and ',
            ui('Secret Token'),
            ' to the SCIM token from the setup portal.',
          ],
          ['Choose ', ui('Test Connection'), ': the setup portal turns green when the request arrives. Save.'],
          [
            'Under ',
            ui('Mappings'),
            ', keep both ',
            ui('Provision Microsoft Entra ID Users'),
            ' and ',
            ui('Provision Microsoft Entra ID Groups'),
            ' enabled, with the target object actions ',
            ui('Create'),
            ', ',
            ui('Update'),
            ' and ',
            ui('Delete'),
            '.',
          ],
          [
            'Under ',
            ui('Settings'),
            ', set ',
            ui('Scope'),
            ' to ',
            ui('Sync only assigned users and groups'),
            ', assign the users and groups under ',
            ui('Users and groups'),
            ', and set ',
            ui('Provisioning Status'),
            ' to ',
            ui('On'),
            '.',
          ],
        ),
        paragraph(
          'Check the user attribute mappings (the gateway links a person’s sign-in to their SCIM record through ',
          code('externalId'),
          '):',
        ),
        mappingTable(
          ['Gateway (SCIM) attribute', 'Entra attribute'],
          [
            ['userName', 'userPrincipalName'],
            ['externalId', 'objectId'],
            ['active', 'Switch([IsSoftDeleted], , "False", "True", "True", "False")'],
            ['displayName', 'displayName'],
            ['name.givenName', 'givenName'],
            ['name.familyName', 'surname'],
            ['emails[type eq "work"].value', 'mail'],
          ],
        ),
        paragraph('And the group mappings:'),
        mappingTable(
          ['Gateway (SCIM) attribute', 'Entra attribute'],
          [
            ['displayName', 'displayName'],
            ['externalId', 'objectId'],
            ['members', 'members'],
          ],
        ),
      ],
    },
    {
      title: '5. Map groups to roles',
      blocks: [
        steps([
          'Once the first cycle has pushed your groups, map each to roles in the setup portal’s roles step; the preview shows who gains and loses what before you save.',
        ]),
      ],
    },
  ];
}
