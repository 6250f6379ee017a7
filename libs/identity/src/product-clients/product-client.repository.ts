import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ProductClientRow, ProductGrantType } from './product-client.row';

const COLUMNS = `
  client_id AS "clientId", name, public, secret_sealed AS "secretSealed", redirect_uris AS "redirectUris",
  post_logout_redirect_uris AS "postLogoutRedirectUris", backchannel_logout_uri AS "backchannelLogoutUri",
  tenants, grant_types AS "grantTypes", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** What a change may set; undefined leaves a column alone. */
export interface ProductClientChanges {
  name?: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string | null;
  tenants?: string[];
  grantTypes?: ProductGrantType[];
}

/** The SQL of product clients. They belong to the operator, not to a tenant: `tenants` is what they may serve. */
@Injectable()
export class ProductClientRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(row: Omit<ProductClientRow, 'createdAt' | 'updatedAt'>): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO product_clients
         (client_id, name, public, secret_sealed, redirect_uris, post_logout_redirect_uris,
          backchannel_logout_uri, tenants, grant_types)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        row.clientId,
        row.name,
        row.public,
        row.secretSealed,
        row.redirectUris,
        row.postLogoutRedirectUris,
        row.backchannelLogoutUri,
        row.tenants,
        row.grantTypes,
      ],
    );
  }

  async list(): Promise<ProductClientRow[]> {
    return this.dataSource.query<ProductClientRow[]>(
      `SELECT ${COLUMNS} FROM product_clients ORDER BY created_at, client_id`,
    );
  }

  /** The client, or undefined. One primary-key read: the OpenID Provider calls it on every request that names a client. */
  async find(clientId: string): Promise<ProductClientRow | undefined> {
    if (clientId.length > 200) return undefined;
    const rows = await this.dataSource.query<ProductClientRow[]>(
      `SELECT ${COLUMNS} FROM product_clients WHERE client_id = $1`,
      [clientId],
    );
    return rows[0];
  }

  /** Applies the changes; false when there is no such client. */
  async update(clientId: string, changes: ProductClientChanges): Promise<boolean> {
    const removeBackchannel = changes.backchannelLogoutUri === null;
    const result = await this.dataSource.query<[unknown[], number]>(
      `UPDATE product_clients SET
         name                      = COALESCE($2, name),
         redirect_uris             = COALESCE($3, redirect_uris),
         post_logout_redirect_uris = COALESCE($4, post_logout_redirect_uris),
         backchannel_logout_uri    = CASE WHEN $8 THEN NULL ELSE COALESCE($5, backchannel_logout_uri) END,
         tenants                   = COALESCE($6, tenants),
         grant_types               = COALESCE($7, grant_types),
         updated_at                = now()
       WHERE client_id = $1`,
      [
        clientId,
        changes.name ?? null,
        changes.redirectUris ?? null,
        changes.postLogoutRedirectUris ?? null,
        changes.backchannelLogoutUri ?? null,
        changes.tenants ?? null,
        changes.grantTypes ?? null,
        removeBackchannel,
      ],
    );
    return result[1] > 0;
  }

  /** Replaces the sealed secret; false when there is no such confidential client. */
  async replaceSecret(clientId: string, secretSealed: Buffer): Promise<boolean> {
    const result = await this.dataSource.query<[unknown[], number]>(
      `UPDATE product_clients SET secret_sealed = $2, updated_at = now() WHERE client_id = $1 AND NOT public`,
      [clientId, secretSealed],
    );
    return result[1] > 0;
  }

  async delete(clientId: string): Promise<boolean> {
    const result = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM product_clients WHERE client_id = $1`,
      [clientId],
    );
    return result[1] > 0;
  }
}
