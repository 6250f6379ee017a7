import { ProductClientRow, ProductGrantType } from './product-client.row';

/** A product client in the admin API: never its secret. */
export interface ProductClientView {
  clientId: string;
  name: string;
  public: boolean;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  tenants: string[];
  grantTypes: ProductGrantType[];
  createdAt: string;
  updatedAt: string;
}

export function toProductClientView(row: ProductClientRow): ProductClientView {
  return {
    clientId: row.clientId,
    name: row.name,
    public: row.public,
    redirectUris: row.redirectUris,
    postLogoutRedirectUris: row.postLogoutRedirectUris,
    backchannelLogoutUri: row.backchannelLogoutUri,
    tenants: row.tenants,
    grantTypes: row.grantTypes,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
