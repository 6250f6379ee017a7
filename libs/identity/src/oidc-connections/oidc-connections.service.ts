import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IdentityError } from '../errors/identity-error';
import { SecretBox } from '../secrets/secret-box';
import { TenantsService } from '../tenants/tenants.service';
import { IssuerDiscovery, ServerMetadata } from './issuer-discovery';
import { SecretBoxError } from '../secrets/secret-box';
import type { OidcConnection, OidcConnectionSettings } from './oidc-connection';
import type { PutOidcConnectionInput, TokenEndpointAuthMethod } from './oidc-connection.input';

interface ConnectionRow {
  tenant_id: string;
  issuer: string;
  client_id: string;
  client_secret_sealed: Buffer;
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  scopes: string[];
  groups_claim: string | null;
  external_id_claim: string;
  post_logout_redirect_uri: string | null;
  allowed_return_urls: string[];
  version: number;
  updated_at: Date;
  server_metadata: ServerMetadata | null;
  server_metadata_checked_at: Date | null;
}

/** Each tenant's OIDC connection: checked against the issuer's discovery document, stored with the secret sealed. */
@Injectable()
export class OidcConnectionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsService,
    private readonly discovery: IssuerDiscovery,
    private readonly secrets: SecretBox,
  ) {}

  /**
   * Creates or replaces the tenant's connection, after its issuer passed discovery; the document
   * checked is stored with it (pinned): sign-in uses its endpoints, and does not fetch it again.
   */
  async put(slug: string, input: PutOidcConnectionInput): Promise<OidcConnectionSettings> {
    const tenant = await this.tenants.get(slug);
    const metadata = await this.discovery.discover(input);
    const [row] = await this.dataSource.query<ConnectionRow[]>(
      `INSERT INTO oidc_connections (tenant_id, issuer, client_id, client_secret_sealed, token_endpoint_auth_method,
                                     scopes, groups_claim, post_logout_redirect_uri, allowed_return_urls, external_id_claim,
                                     server_metadata, server_metadata_checked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
       ON CONFLICT (tenant_id) DO UPDATE
          SET issuer = $2, client_id = $3, client_secret_sealed = $4, token_endpoint_auth_method = $5, scopes = $6,
              groups_claim = $7, post_logout_redirect_uri = $8, allowed_return_urls = $9, external_id_claim = $10,
              server_metadata = $11, server_metadata_checked_at = now(),
              version = nextval('oidc_connection_versions'), updated_at = now()
       RETURNING *`,
      [
        tenant.id,
        input.issuer,
        input.clientId,
        this.secrets.seal(input.clientSecret, secretContext(tenant.id)),
        input.tokenEndpointAuthMethod,
        input.scopes,
        input.groupsClaim,
        input.postLogoutRedirectUri,
        input.allowedReturnUrls,
        input.externalIdClaim,
        JSON.stringify(metadata),
      ],
    );
    return settingsOf(row);
  }

  /**
   * Fetches the issuer's discovery document again and checks it as a save does (the same address
   * rules): an operator's or tenant admin's action, never a visitor's. A document that passes
   * replaces the pinned one (a new version, so every replica builds its client anew); one that
   * fails is an `unprocessable` error saying why, and the pinned document stays as it was.
   */
  async refresh(slug: string): Promise<OidcConnectionSettings> {
    const tenant = await this.tenants.get(slug);
    const current = await this.row(tenant.id);
    if (!current) throw IdentityError.notFound(`tenant "${slug}" has no OIDC connection`);
    const metadata = await this.discovery.discover(issuerSettingsOf(current));
    // Only if the connection is still the one checked: a save meanwhile brought its own document.
    // An UPDATE answers [rows, count].
    const [[row]] = await this.dataSource.query<[ConnectionRow[], number]>(
      `UPDATE oidc_connections
          SET server_metadata = $3, server_metadata_checked_at = now(), version = nextval('oidc_connection_versions')
        WHERE tenant_id = $1 AND version = $2
        RETURNING *`,
      [tenant.id, current.version, JSON.stringify(metadata)],
    );
    if (!row) throw new IdentityError('conflict', 'the connection changed while it was refreshed; refresh it again');
    return settingsOf(row);
  }

  /**
   * The pinned document of a connection saved before documents were stored: discovered and checked
   * (as a save does) once, at its first use, and stored unless a save or another replica stored one
   * first (that one is returned). A migration cannot do this: it would need every tenant's IdP to
   * answer for an upgrade to go on. Sign-in keeps a failure a while (OidcClients), so a visitor can
   * start at most one such fetch per connection and minute.
   */
  async pin(connection: OidcConnection): Promise<ServerMetadata> {
    if (connection.serverMetadata) return connection.serverMetadata;
    const metadata = await this.discovery.discover(connection);
    const [[row]] = await this.dataSource.query<[Pick<ConnectionRow, 'server_metadata'>[], number]>(
      `UPDATE oidc_connections
          SET server_metadata = COALESCE(server_metadata, $3),
              server_metadata_checked_at = COALESCE(server_metadata_checked_at, now())
        WHERE tenant_id = $1 AND version = $2
        RETURNING server_metadata`,
      [connection.tenantId, connection.version, JSON.stringify(metadata)],
    );
    return row?.server_metadata ?? metadata;
  }

  /** The tenant's connection (without its secret), or a not_found error. */
  async get(slug: string): Promise<OidcConnectionSettings> {
    const tenant = await this.tenants.get(slug);
    const row = await this.row(tenant.id);
    if (!row) throw IdentityError.notFound(`tenant "${slug}" has no OIDC connection`);
    return settingsOf(row);
  }

  async delete(slug: string): Promise<void> {
    const tenant = await this.tenants.get(slug);
    const [, removed] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM oidc_connections WHERE tenant_id = $1`,
      [tenant.id],
    );
    if (!removed) throw IdentityError.notFound(`tenant "${slug}" has no OIDC connection`);
  }

  /**
   * The connection sign-in uses, secret opened; undefined when the tenant has
   * none. A secret that does not open (SECRETS_KEY changed, or a row copied from
   * another tenant) is an `unprocessable` error saying how to repair it.
   */
  async forTenant(tenantId: string): Promise<OidcConnection | undefined> {
    const row = await this.row(tenantId);
    if (!row) return undefined;
    try {
      return {
        ...settingsOf(row),
        clientSecret: this.secrets.open(row.client_secret_sealed, secretContext(tenantId)),
        serverMetadata: row.server_metadata,
      };
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      throw new IdentityError(
        'unprocessable',
        'the stored client secret does not open with this SECRETS_KEY: set the OIDC connection again',
        { cause: error },
      );
    }
  }

  private async row(tenantId: string): Promise<ConnectionRow | undefined> {
    const [row] = await this.dataSource.query<ConnectionRow[]>(`SELECT * FROM oidc_connections WHERE tenant_id = $1`, [
      tenantId,
    ]);
    return row;
  }
}

function settingsOf(row: ConnectionRow): OidcConnectionSettings {
  return {
    tenantId: row.tenant_id,
    issuer: row.issuer,
    clientId: row.client_id,
    tokenEndpointAuthMethod: row.token_endpoint_auth_method,
    scopes: row.scopes,
    groupsClaim: row.groups_claim,
    externalIdClaim: row.external_id_claim,
    postLogoutRedirectUri: row.post_logout_redirect_uri,
    allowedReturnUrls: row.allowed_return_urls,
    version: row.version,
    updatedAt: row.updated_at,
    discoveryCheckedAt: row.server_metadata_checked_at,
  };
}

function issuerSettingsOf(row: ConnectionRow) {
  return { issuer: row.issuer, clientId: row.client_id, tokenEndpointAuthMethod: row.token_endpoint_auth_method };
}

/** Binds a sealed secret to its tenant: copied to another tenant's row, it does not open. */
function secretContext(tenantId: string): string {
  return `oidc-client-secret:${tenantId}`;
}
