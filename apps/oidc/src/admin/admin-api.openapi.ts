import type { ScimTokenView, TenantUserPage, TenantUserView, TenantView } from '@app/identity';
import type { TenantGroupPage } from '@app/identity/access/access.service';
import type { GroupRoleRule } from '@app/identity/access/roles-from-groups';
import type { AuditEntryView } from '@app/identity/audit/audit-entry';
import type { ReplayResult } from '@app/identity/deliveries/delivery-replay.service';
import type { DeliveryView } from '@app/identity/deliveries/delivery.view';
import type { WebhookTestResult } from '@app/identity/deliveries/webhook-test.service';
import type { DomainView } from '@app/identity/domains/domain-claim';
import type { OidcConnectionView } from '@app/identity/oidc-connections/oidc-connection';
import type { ProductClientView } from '@app/identity/product-clients/product-client.view';
import type { SetupLinkView } from '@app/identity/setup-links/setup-link.view';
import type { CreatedSetupLink } from '@app/identity/setup-links/setup-links.service';
import type { SubscriptionView } from '@app/identity/subscriptions/subscription.view';
import { z } from 'zod';
import { JsonSchema, responseSchema } from '../api-docs/zod-json-schema';

/** The admin API's security scheme: the operator's `ADMIN_TOKEN` as a bearer token. */
export const ADMIN_API_SCHEME = 'adminToken';

const dateTime = z.iso.datetime({ offset: true });
const nullableDateTime = dateTime.nullable();

/*
 * The main bodies the admin API answers with, as zod schemas for the document.
 * Each is checked against the view type the controllers return (`Same<…>` below),
 * so a field added to a view and not here, or the other way round, fails to compile.
 */
const tenant = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    domains: z.array(z.string()),
    signIn: z.enum(['jit', 'provisioned-only']),
    createdAt: dateTime,
    updatedAt: dateTime,
    setup: z
      .object({
        scimBaseUrl: z.string(),
        signInRedirectUri: z.string(),
        signOutRedirectUri: z.string(),
        initiateLoginUri: z.string(),
      })
      .describe('The values the tenant’s IdP administrator enters, ready to hand over as they are.'),
  })
  .describe('A tenant.');

const scimToken = z
  .object({
    id: z.uuid(),
    prefix: z.string(),
    status: z.enum(['active', 'expired', 'revoked']),
    createdAt: dateTime,
    expiresAt: nullableDateTime,
    revokedAt: nullableDateTime,
    lastUsedAt: nullableDateTime,
    replaces: z.uuid().nullable().describe('While a rotation is under way: the id of the token this one replaces.'),
  })
  .describe('A SCIM token as listed: never its secret.');

const issuedScimToken = z
  .object({
    id: z.uuid(),
    token: z.string().describe('The secret: shown here, this once, and nowhere else.'),
    prefix: z.string(),
    createdAt: dateTime,
    expiresAt: nullableDateTime,
    replaces: z.uuid().optional().describe('For a rotation: the token this one replaces; both work until it ends.'),
  })
  .describe('A SCIM token just issued.');

const subscription = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(['webhook', 'queue']),
    url: z.string().optional().describe('Webhooks: where events are POSTed.'),
    queue: z.string().optional().describe('Queue subscriptions: the BullMQ queue events are added to.'),
    events: z.array(z.string()),
    tenant: z.string().nullable().describe('The tenant slug whose events are delivered; null for every tenant.'),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .describe('A subscription: never its secret.');

const delivery = z
  .object({
    id: z.uuid(),
    eventId: z.uuid(),
    eventType: z.string(),
    subject: z.object({ type: z.string(), id: z.string() }),
    sequence: z.number().int(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    lastResponseStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    latencyMs: z.number().nullable().describe('Milliseconds from the change’s commit to its delivery.'),
    createdAt: dateTime,
    updatedAt: dateTime,
    deliveredAt: nullableDateTime,
  })
  .describe('One line of a subscription’s delivery log.');

const productClient = z
  .object({
    clientId: z.string(),
    name: z.string(),
    public: z.boolean(),
    redirectUris: z.array(z.string()),
    postLogoutRedirectUris: z.array(z.string()),
    backchannelLogoutUri: z.string().nullable(),
    tenants: z.array(z.string()),
    grantTypes: z.array(z.enum(['authorization_code', 'refresh_token', 'client_credentials'])),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .describe('A product registered as a client of the gateway’s OpenID Provider: never its secret.');

const oidcConnection = z
  .object({
    issuer: z.string(),
    clientId: z.string(),
    tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post']),
    scopes: z.array(z.string()).readonly(),
    groupsClaim: z.string().nullable(),
    externalIdClaim: z.string(),
    postLogoutRedirectUri: z.string().nullable(),
    allowedReturnUrls: z.array(z.string()).readonly(),
    updatedAt: dateTime,
  })
  .describe('A tenant’s connection to its IdP: never the client secret.');

const tenantUser = z
  .object({
    id: z.uuid(),
    userName: z.string(),
    externalId: z.string().nullable(),
    active: z.boolean(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    roles: z.array(z.string()).describe('Granted by an administrator.'),
    effectiveRoles: z.array(z.string()).describe('Granted, then derived by group rules at the last sign-in.'),
    teams: z.array(z.string()),
    groups: z.array(z.string()).describe('Display names of the user’s SCIM groups.'),
    lastSignInAt: nullableDateTime,
  })
  .describe('A tenant’s user and what they are granted.');

const domain = z
  .object({
    domain: z.string(),
    status: z.enum(['operator', 'pending', 'verified']),
    txtRecord: z
      .object({ name: z.string(), value: z.string() })
      .nullable()
      .describe('The DNS TXT record to publish; null for a domain the operator set.'),
    createdAt: dateTime,
    verifiedAt: nullableDateTime,
  })
  .describe('An email domain of a tenant.');

const setupLinkScopes = z.array(z.enum(['oidc', 'scim', 'domains', 'roles', 'logs']));
const setupLink = z
  .object({
    id: z.uuid(),
    status: z.enum(['active', 'used', 'expired', 'revoked']),
    scopes: setupLinkScopes,
    email: z.string().nullable(),
    createdAt: dateTime,
    expiresAt: dateTime,
    usedAt: nullableDateTime,
    revokedAt: nullableDateTime,
    createdBy: z.string(),
  })
  .describe('A link to a tenant’s setup portal: never its secret.');

const createdSetupLink = z
  .object({
    id: z.uuid(),
    url: z.string().describe('Opens the setup portal once; it holds the secret, shown this once.'),
    expiresAt: dateTime,
    scopes: setupLinkScopes,
    email: z.string().nullable(),
  })
  .describe('A setup link just created.');

const replayResult = z
  .object({
    replayed: z.number().int().describe('Deliveries queued again (or for the first time).'),
    through: z
      .string()
      .nullable()
      .describe('The feed cursor of the last event looked at: a later replay may go on from it.'),
  })
  .describe('What a replay queued.');

const webhookTestResult = z
  .object({
    event: z.object({
      id: z.uuid(),
      type: z.literal('webhook.test'),
      occurredAt: dateTime,
      tenant: z.object({ id: z.string(), slug: z.string() }).nullable(),
      subject: z.object({ type: z.literal('subscription'), id: z.string() }),
      sequence: z.literal(0),
      data: z.object({ subscription: z.object({ id: z.string(), name: z.string() }) }),
    }),
    status: z.number().int().nullable().describe('The receiver’s HTTP status, or null when there was no answer.'),
    ok: z.boolean(),
    error: z.string().nullable(),
    latencyMs: z.number(),
  })
  .describe('What the receiver made of a signed test event.');

const auditEntry = z
  .object({
    id: z.string(),
    occurredAt: dateTime,
    actor: z.object({ type: z.string(), id: z.string(), label: z.string().nullable() }),
    tenant: z.object({ id: z.string().nullable(), slug: z.string() }).nullable(),
    action: z.string(),
    method: z.string(),
    route: z.string(),
    target: z.record(z.string(), z.string()),
    status: z.number().int(),
    request: z.unknown().describe('The request body, secrets removed.'),
    before: z.unknown(),
    after: z.unknown(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    requestId: z.string().nullable(),
  })
  .describe('One admin action.');

const tenantGroupPage = z
  .object({
    data: z.array(
      z.object({
        id: z.uuid(),
        displayName: z.string(),
        externalId: z.string().nullable(),
        memberCount: z.number().int(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .describe('A page of the IdP groups a tenant’s SCIM client pushed, with member counts.');

const groupRoleRules = z
  .object({ rules: z.array(z.object({ group: z.string(), roles: z.array(z.string()).readonly() })) })
  .describe('A tenant’s rules from IdP groups to roles.');

/** Whether A and B are assignable both ways (the same shape as far as the wire is concerned). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(..._checks: T[]): void => undefined;
same<Same<z.output<typeof tenant>, TenantView>>();
same<Same<z.output<typeof scimToken>, ScimTokenView>>();
same<Same<z.output<typeof subscription>, SubscriptionView>>();
same<Same<z.output<typeof delivery>, DeliveryView>>();
same<Same<z.output<typeof productClient>, ProductClientView>>();
same<Same<z.output<typeof oidcConnection>, OidcConnectionView>>();
same<Same<z.output<typeof tenantUser>, TenantUserView>>();
same<Same<z.output<typeof domain>, DomainView>>();
same<Same<z.output<typeof setupLink>, SetupLinkView>>();
same<Same<z.output<typeof createdSetupLink>, CreatedSetupLink>>();
same<Same<z.output<typeof replayResult>, ReplayResult>>();
same<Same<z.output<typeof webhookTestResult>, WebhookTestResult>>();
same<Same<z.output<typeof auditEntry>, AuditEntryView>>();
same<Same<z.output<typeof tenantGroupPage>, TenantGroupPage>>();
same<Same<z.output<typeof groupRoleRules>['rules'][number], GroupRoleRule>>();

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string): JsonSchema => ({
  description,
  content: { 'application/json': { schema: ref('Error') } },
});

/** The admin API's part of the document: its security scheme, refusals and main bodies. */
export function adminApiComponents(): {
  securitySchemes: Record<string, JsonSchema>;
  responses: Record<string, JsonSchema>;
  schemas: Record<string, JsonSchema>;
  tags: { name: string; description: string }[];
} {
  return {
    securitySchemes: {
      [ADMIN_API_SCHEME]: {
        type: 'http',
        scheme: 'bearer',
        description:
          'The operator’s `ADMIN_TOKEN`. (The console and a tenant’s setup portal use the same routes with their sessions’ cookies and a CSRF header.)',
      },
    },
    responses: {
      AdminBadRequest: error('A malformed body or query: the message names each field and what is wrong with it.'),
      AdminUnauthorized: error('No admin token, or a wrong one (429 after too many wrong ones from one address).'),
      AdminForbidden: error('The caller may not use this route.'),
      AdminNotFound: error('No such tenant, or no such item within it.'),
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string', description: 'A stable code.' },
              message: { type: 'string', description: 'What went wrong, fit to show a developer.' },
              requestId: { type: 'string', description: 'On a 5xx: the request id to look for in the logs.' },
            },
          },
        },
      },
      Tenant: responseSchema(tenant),
      ScimToken: responseSchema(scimToken),
      IssuedScimToken: responseSchema(issuedScimToken),
      Subscription: responseSchema(subscription),
      Delivery: responseSchema(delivery),
      ProductClient: responseSchema(productClient),
      OidcConnection: responseSchema(oidcConnection),
      TenantUser: responseSchema(tenantUser),
      TenantUserPage: {
        type: 'object',
        required: ['users', 'nextCursor'],
        properties: {
          users: { type: 'array', items: ref('TenantUser') },
          nextCursor: { type: ['string', 'null'], description: 'The next page’s cursor; null on the last page.' },
        },
      } satisfies JsonSchema & { properties: Record<keyof TenantUserPage, unknown> },
      Domain: responseSchema(domain),
      SetupLink: responseSchema(setupLink),
      CreatedSetupLink: responseSchema(createdSetupLink),
      CreatedSubscription: {
        type: 'object',
        required: ['id'],
        description: 'A subscription just created; a webhook’s signing secret is shown here, this once.',
        properties: {
          id: { type: 'string', format: 'uuid' },
          secret: { type: 'string', description: 'Webhooks only: the Standard Webhooks secret (`whsec_…`).' },
        },
      },
      CreatedProductClient: {
        description: 'A client just registered; a confidential client’s secret is shown here, this once.',
        allOf: [ref('ProductClient'), { type: 'object', properties: { clientSecret: { type: 'string' } } }],
      },
      ClientSecret: {
        type: 'object',
        required: ['clientId', 'clientSecret'],
        description: 'A new client secret, shown this once; the old one stopped working.',
        properties: { clientId: { type: 'string' }, clientSecret: { type: 'string' } },
      },
      EndedRotation: {
        type: 'object',
        required: ['revoked', 'active'],
        description: 'A SCIM token rotation that ended: the token revoked, and the one that stays.',
        properties: { revoked: ref('ScimToken'), active: ref('ScimToken') },
      },
      ReplayResult: responseSchema(replayResult),
      WebhookTestResult: responseSchema(webhookTestResult),
      AuditEntry: responseSchema(auditEntry),
      AuditPage: {
        type: 'object',
        required: ['entries', 'nextCursor'],
        properties: {
          entries: { type: 'array', items: ref('AuditEntry') },
          nextCursor: {
            type: ['string', 'null'],
            description: 'The `after` of the next (older) page; null on the last.',
          },
        },
      },
      TenantGroupPage: responseSchema(tenantGroupPage),
      GroupRoleRules: responseSchema(groupRoleRules),
    },
    tags: [],
  };
}

/** `GET /admin/v1/subscriptions/{id}/deliveries`: a page of the delivery log. */
export const DELIVERY_PAGE: JsonSchema = {
  type: 'object',
  required: ['deliveries', 'nextCursor'],
  properties: {
    deliveries: { type: 'array', items: ref('Delivery') },
    nextCursor: { type: ['string', 'null'], description: 'The next page’s cursor; null on the last page.' },
  },
};

/**
 * One line per admin route for the document and its page, by operationId (the
 * controller and handler names: `scimTokensRotate`). A route missing here is still
 * documented, without a summary; a name here that is no route fails the OpenAPI test.
 */
export const ADMIN_API_SUMMARIES: Readonly<Record<string, string>> = {
  tenantsCreate: 'Create a tenant',
  tenantsList: 'List tenants',
  tenantsGet: 'Get a tenant, with the setup values its IdP administrator enters',
  tenantsUpdate: 'Change a tenant’s name, email domains or sign-in policy',
  tenantsDelete: 'Delete a tenant and everything it holds',
  scimTokensIssue: 'Issue a SCIM token (its secret is shown once)',
  scimTokensList: 'List a tenant’s SCIM tokens',
  scimTokensRevoke: 'Revoke a SCIM token at once',
  scimTokensRotate: 'Start a rotation: issue a token that replaces this one (both work until it ends)',
  scimTokensCompleteRotation: 'Complete a rotation: revoke the old token',
  scimTokensCancelRotation: 'Cancel a rotation: revoke the new token',
  subscriptionsCreate: 'Subscribe a webhook or an internal queue to events',
  subscriptionsList: 'List subscriptions',
  subscriptionsGet: 'Get a subscription',
  subscriptionsUpdate: 'Change a subscription (its events, tenant, target, or turn it on or off)',
  subscriptionsDelete: 'Delete a subscription',
  subscriptionsDeliveryLog: 'Read a subscription’s delivery log',
  subscriptionsReplay: 'Deliver events again from the events feed, with their original ids',
  subscriptionsTest: 'Send a signed test event to a webhook now',
  subscriptionsRetry: 'Retry one delivery',
  tenantUsersList: 'List a tenant’s users and what they are granted',
  tenantUsersSetRoles: 'Set the roles an administrator grants a user',
  tenantUsersSetTeams: 'Set a user’s teams',
  groupRolesGet: 'Get a tenant’s rules from IdP groups to roles',
  groupRolesReplace: 'Replace a tenant’s rules from IdP groups to roles',
  groupRolesPreview: 'Preview who would gain and lose roles under new rules (saves nothing)',
  oidcConnectionPut: 'Save a tenant’s IdP connection (its discovery is checked first)',
  oidcConnectionGet: 'Get a tenant’s IdP connection',
  oidcConnectionDelete: 'Remove a tenant’s IdP connection',
  clientsCreate: 'Register a product as a client of the gateway’s OpenID Provider',
  clientsList: 'List product clients',
  clientsGet: 'Get a product client',
  clientsUpdate: 'Change a product client',
  clientsDelete: 'Delete a product client',
  clientsRotateSecret: 'Give a client a new secret (the old one stops working at once)',
  userSessionsRevoke: 'End every session of a user, here and in every product',
  auditList: 'Read the audit log of admin actions',
  auditListForTenant: 'Read a tenant’s part of the audit log',
  scimRequestsScimRequests: 'Read the SCIM requests a tenant’s IdP sent, and their answers',
  scimRequestsSignInFailures: 'Read a tenant’s refused sign-ins',
  provisioningStatus: 'Whether a tenant’s IdP provisions yet, and what it pushed',
  tenantGroupsList: 'List the IdP groups a tenant’s SCIM client pushed',
  deliveryHealthGet: 'How the subscriptions receiving a tenant’s events fared over the last day',
  consoleOverview: 'Every tenant’s health at a glance',
  consoleQueues: 'The event queues’ counts',
  domainsList: 'List a tenant’s email domains',
  domainsAdd: 'Claim an email domain (proven by a DNS TXT record)',
  domainsVerify: 'Look up a claimed domain’s TXT record now',
  domainsRemove: 'Remove an email domain',
  oidcTestSignInsCreate: 'Start a test sign-in with the tenant’s IdP connection',
  oidcTestSignInsResult: 'Read a test sign-in’s result',
  setupGuideGet: 'A step-by-step setup guide for Okta or Entra, with the tenant’s own values',
  setupLinksCreate: 'Create a link to the tenant’s setup portal (its secret is shown once)',
  setupLinksList: 'List a tenant’s setup links',
  setupLinksRevoke: 'Revoke a setup link, and end the portal session it opened',
};
