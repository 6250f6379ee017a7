import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, OutboundAddressError, ResolvedConfig, assertPublicUrl } from '@app/platform';
import { IdentityError } from '../errors/identity-error';
import { SecretBox } from '../secrets/secret-box';
import { TenantsService } from '../tenants/tenants.service';
import { generateClientId, generateClientSecret } from './client-secret';
import {
  CreateProductClientInput,
  DEFAULT_GRANT_TYPES,
  ProductClientShape,
  UpdateProductClientInput,
  productClientProblems,
} from './product-client.input';
import { ProductClientChanges, ProductClientRepository } from './product-client.repository';
import { ProductClientRow } from './product-client.row';

/** A new client; `clientSecret` is set for a confidential client and shown this once. */
export interface CreatedProductClient {
  readonly client: ProductClientRow;
  readonly clientSecret?: string;
}

/**
 * Registers the vendor's products as OIDC clients of the gateway. Client secrets
 * are sealed with SECRETS_KEY rather than hashed: the OpenID Provider compares
 * the presented secret itself (in constant time), and needs it as the key of
 * client_secret_jwt authentication.
 */
@Injectable()
export class ProductClientsService {
  constructor(
    private readonly clients: ProductClientRepository,
    private readonly tenants: TenantsService,
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async create(input: CreateProductClientInput): Promise<CreatedProductClient> {
    const shape: ProductClientShape = {
      public: input.public ?? false,
      redirectUris: input.redirectUris ?? [],
      grantTypes: input.grantTypes ?? DEFAULT_GRANT_TYPES,
    };
    this.assertShape(shape);
    const tenants = input.tenants ?? ['*'];
    await this.assertTenantsExist(tenants);
    if (input.backchannelLogoutUri !== undefined) await this.assertPublicBackchannelUri(input.backchannelLogoutUri);
    const clientId = generateClientId();
    const clientSecret = shape.public ? undefined : generateClientSecret();
    await this.clients.insert({
      clientId,
      name: input.name,
      public: shape.public,
      // Sealed with the client id as context: the ciphertext only opens for this client.
      secretSealed: clientSecret === undefined ? null : this.secrets.seal(clientSecret, clientId),
      redirectUris: [...shape.redirectUris],
      postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
      backchannelLogoutUri: input.backchannelLogoutUri ?? null,
      tenants,
      grantTypes: [...shape.grantTypes],
    });
    return { client: await this.get(clientId), ...(clientSecret === undefined ? {} : { clientSecret }) };
  }

  list(): Promise<ProductClientRow[]> {
    return this.clients.list();
  }

  /** The client, or a not_found error. */
  async get(clientId: string): Promise<ProductClientRow> {
    const client = await this.clients.find(clientId);
    if (!client) throw IdentityError.notFound(`no client with id "${clientId}"`);
    return client;
  }

  /** The client, or undefined: for the OpenID Provider, which answers an unknown client itself. */
  find(clientId: string): Promise<ProductClientRow | undefined> {
    return this.clients.find(clientId);
  }

  /** The client's secret in clear, or undefined for a public client. */
  secretOf(client: ProductClientRow): string | undefined {
    return client.secretSealed ? this.secrets.open(client.secretSealed, client.clientId) : undefined;
  }

  async update(clientId: string, input: UpdateProductClientInput): Promise<ProductClientRow> {
    const current = await this.get(clientId);
    this.assertShape({
      public: current.public,
      redirectUris: input.redirectUris ?? current.redirectUris,
      grantTypes: input.grantTypes ?? current.grantTypes,
    });
    if (input.tenants !== undefined) await this.assertTenantsExist(input.tenants);
    if (input.backchannelLogoutUri) await this.assertPublicBackchannelUri(input.backchannelLogoutUri);
    const changes: ProductClientChanges = { ...input };
    if (!(await this.clients.update(clientId, changes)))
      throw IdentityError.notFound(`no client with id "${clientId}"`);
    return this.get(clientId);
  }

  /** A new secret, shown this once; the old one stops working at once (no replica caches it). */
  async rotateSecret(clientId: string): Promise<{ clientId: string; clientSecret: string }> {
    const client = await this.get(clientId);
    if (client.public) throw IdentityError.invalid('a public client has no secret to rotate');
    const clientSecret = generateClientSecret();
    if (!(await this.clients.replaceSecret(clientId, this.secrets.seal(clientSecret, clientId)))) {
      throw IdentityError.notFound(`no client with id "${clientId}"`);
    }
    return { clientId, clientSecret };
  }

  async delete(clientId: string): Promise<void> {
    if (!(await this.clients.delete(clientId))) throw IdentityError.notFound(`no client with id "${clientId}"`);
  }

  /** The outbound address rule: the gateway will POST logout tokens there, so no loopback, link-local or private address. */
  private async assertPublicBackchannelUri(uri: string): Promise<void> {
    try {
      await assertPublicUrl(uri, { allowPrivateNetworks: this.config.allowPrivateNetworks });
    } catch (error) {
      if (!(error instanceof OutboundAddressError)) throw error;
      throw new IdentityError(
        'unprocessable',
        `backchannelLogoutUri: ${error.message}; set ALLOW_PRIVATE_NETWORKS to allow private addresses`,
        { cause: error },
      );
    }
  }

  private assertShape(shape: ProductClientShape): void {
    const problems = productClientProblems(shape);
    if (problems.length > 0) throw IdentityError.invalid(problems.join('; '));
  }

  private async assertTenantsExist(tenants: readonly string[]): Promise<void> {
    const missing: string[] = [];
    for (const slug of tenants) {
      if (slug === '*') continue;
      const found = await this.tenants.get(slug).then(
        () => true,
        () => false,
      );
      if (!found) missing.push(slug);
    }
    if (missing.length > 0) {
      throw new IdentityError('unprocessable', `tenants: no tenant called ${missing.map((s) => `"${s}"`).join(', ')}`);
    }
  }
}
