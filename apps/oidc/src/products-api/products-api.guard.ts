import { CanActivate, ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ReaderAccess } from '@app/identity/events-feed/reader-scope';
import { ProductClientRepository } from '@app/identity/product-clients/product-client.repository';
import { bearerToken } from '@app/platform';
import type { FastifyRequest } from 'fastify';
import { ProductsApiError } from './products-api.error';
import { ProductTokenVerifier } from './product-token.verifier';

/** The products API's scopes. */
export type ProductsApiScope = 'events:read' | 'directory:read';

/** Metadata key of the scope a route's token must carry (the OpenAPI document states it too). */
export const REQUIRED_SCOPE = 'productsApiScope';

/** The scope a route's token must carry. */
export const RequiresScope = (scope: ProductsApiScope) => SetMetadata(REQUIRED_SCOPE, scope);

type ProductRequest = FastifyRequest & { productReader?: ReaderAccess };

/** The calling product's access (its client id and the tenants its registration allows). */
export const Reader = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ReaderAccess =>
    context.switchToHttp().getRequest<ProductRequest>().productReader!,
);

/**
 * Lets through a request whose bearer token is a valid products API access token
 * with the route's scope, of a product still registered with client credentials;
 * its tenants are read from the registration now, so a change applies at once.
 */
@Injectable()
export class ProductsApiGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ProductTokenVerifier,
    private readonly clients: ProductClientRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ProductRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token)
      throw ProductsApiError.unauthorized('a client-credentials access token is required (Authorization: Bearer)');
    const verified = await this.tokens.verify(token);
    if (!verified) throw ProductsApiError.unauthorized('the access token is invalid or expired');
    const client = await this.clients.find(verified.clientId);
    if (!client?.grantTypes.includes('client_credentials')) {
      throw ProductsApiError.unauthorized('the access token’s client is no longer registered for client credentials');
    }
    const scope = this.reflector.getAllAndOverride<ProductsApiScope | undefined>(REQUIRED_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (scope && !verified.scopes.includes(scope)) throw ProductsApiError.insufficientScope(scope);
    request.productReader = { clientId: client.clientId, tenants: client.tenants };
    return true;
  }
}
