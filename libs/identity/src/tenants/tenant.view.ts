import { SignInPolicy, TenantEntity } from './tenant.entity';

/** The public base URLs a tenant's setup values are built from. */
export interface PublicUrls {
  /** Base URL of the OIDC sign-in app. */
  readonly publicUrl: string;
  /** Base URL of the SCIM app. */
  readonly scimPublicUrl: string;
}

/** The values a tenant's IdP administrator enters, ready to hand over as they are. */
export interface TenantSetup {
  readonly scimBaseUrl: string;
  readonly signInRedirectUri: string;
  readonly signOutRedirectUri: string;
  readonly initiateLoginUri: string;
}

/** A tenant as the admin API shows it. */
export interface TenantView {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly domains: string[];
  readonly signIn: SignInPolicy;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly setup: TenantSetup;
}

/** Builds setup values from the configured public URLs, never from an incoming request. */
export function tenantSetup(slug: string, urls: PublicUrls): TenantSetup {
  const tenant = encodeURIComponent(slug);
  return {
    scimBaseUrl: `${urls.scimPublicUrl}/scim/v2`,
    signInRedirectUri: `${urls.publicUrl}/auth/callback`,
    signOutRedirectUri: `${urls.publicUrl}/auth/logged-out/${tenant}`,
    initiateLoginUri: `${urls.publicUrl}/auth/login?tenant=${tenant}`,
  };
}

export function toTenantView(tenant: TenantEntity, urls: PublicUrls): TenantView {
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    domains: tenant.domains.map((d) => d.domain).sort(),
    signIn: tenant.signIn,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
    setup: tenantSetup(tenant.slug, urls),
  };
}
