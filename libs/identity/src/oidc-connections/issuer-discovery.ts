import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import {
  APP_CONFIG,
  DispatcherFetch,
  HostLookup,
  OutboundAddressError,
  ResolvedConfig,
  assertPublicUrl,
  fetchThrough,
  findOutboundAddressError,
  guardedDispatcher,
} from '@app/platform';
import * as oidc from 'openid-client';
import type { Agent } from 'undici';
import { IdentityError } from '../errors/identity-error';
import type { TokenEndpointAuthMethod } from './oidc-connection.input';
import { describeProviderError, isTimeout } from './provider-errors';

/** Discovery gives up after this long: an operator is waiting on the admin API. */
const DISCOVERY_TIMEOUT_SECONDS = 10;

/**
 * The endpoints of a discovery document the gateway calls or sends browsers to;
 * each must be as public as the issuer (an IdP's document could otherwise
 * point the token request, with the client secret, inside the network).
 */
const CALLED_ENDPOINTS = ['token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint'] as const;

/** Injection token of an IdpTransport replacing the guarded one (tests that stay off the network). */
export const IDP_TRANSPORT = Symbol('IDP_TRANSPORT');

/** How IdPs are reached: the fetch every IdP request goes through, and the resolver of the save-time checks. */
export interface IdpTransport {
  readonly fetch: DispatcherFetch;
  readonly lookup?: HostLookup;
}

/** What a relying-party configuration is built from. */
export interface OidcClientSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
}

/**
 * Builds openid-client configurations from an issuer's discovery document and
 * checks that the document describes a provider the sign-in flow can use.
 */
@Injectable()
export class IssuerDiscovery implements OnApplicationShutdown {
  /** Every request to an IdP (discovery, token, userinfo, JWKS) goes through this guarded transport. */
  private readonly dispatcher: Agent | undefined;
  private readonly transport: IdpTransport;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    @Optional() @Inject(IDP_TRANSPORT) transport?: IdpTransport,
  ) {
    if (transport) {
      this.transport = transport;
    } else {
      this.dispatcher = guardedDispatcher({ allowPrivateNetworks: config.allowPrivateNetworks });
      this.transport = { fetch: fetchThrough(this.dispatcher) };
    }
  }

  /** The configuration for a tenant's client, or an `unprocessable` error saying what is wrong with the issuer. */
  async configure(settings: OidcClientSettings): Promise<oidc.Configuration> {
    const issuer = new URL(settings.issuer);
    const insecure = issuer.protocol === 'http:';
    if (insecure && !this.config.allowHttpIssuers) {
      throw unprocessable(`the issuer must be an https:// URL (http:// issuers need ALLOW_HTTP_ISSUERS=true)`);
    }
    await this.assertPublic(settings.issuer, 'the issuer');
    let configuration: oidc.Configuration;
    try {
      configuration = await oidc.discovery(
        issuer,
        settings.clientId,
        { token_endpoint_auth_method: settings.tokenEndpointAuthMethod },
        clientAuthentication(settings),
        {
          timeout: DISCOVERY_TIMEOUT_SECONDS,
          execute: insecure ? [oidc.allowInsecureRequests] : [],
          // Kept by the configuration: the token, userinfo and JWKS requests of sign-in use it too.
          [oidc.customFetch]: this.transport.fetch,
        },
      );
    } catch (error) {
      throw unprocessable(`discovery of ${settings.issuer} failed: ${describe(error)}`, error);
    }
    const metadata = configuration.serverMetadata();
    assertUsable(metadata, settings);
    for (const endpoint of CALLED_ENDPOINTS) {
      const url = metadata[endpoint];
      if (typeof url === 'string') await this.assertPublic(url, `the discovery document's ${endpoint}`);
    }
    return configuration;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher?.destroy();
  }

  /** Refuses a URL on a non-public address (unless ALLOW_PRIVATE_NETWORKS) as an `unprocessable` error. */
  private async assertPublic(url: string, what: string): Promise<void> {
    try {
      await assertPublicUrl(url, {
        allowPrivateNetworks: this.config.allowPrivateNetworks,
        lookup: this.transport.lookup,
      });
    } catch (error) {
      if (!(error instanceof OutboundAddressError)) throw error;
      throw unprocessable(`${what} is refused: ${error.message}`, error);
    }
  }
}

function clientAuthentication(settings: OidcClientSettings): oidc.ClientAuth {
  switch (settings.tokenEndpointAuthMethod) {
    case 'client_secret_basic':
      return oidc.ClientSecretBasic(settings.clientSecret);
    case 'client_secret_post':
      return oidc.ClientSecretPost(settings.clientSecret);
  }
}

/** The sign-in flow needs the code flow, PKCE with S256 (when advertised) and the chosen client authentication. */
function assertUsable(metadata: oidc.ServerMetadata, settings: OidcClientSettings): void {
  const missing = (['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const).filter((key) => !metadata[key]);
  if (missing.length > 0) throw unprocessable(`the discovery document lacks ${missing.join(', ')}`);
  if (metadata.response_types_supported && !metadata.response_types_supported.includes('code')) {
    throw unprocessable('the provider does not support the authorization code flow (response_type "code")');
  }
  const challenges = metadata.code_challenge_methods_supported;
  if (challenges && !challenges.includes('S256')) {
    throw unprocessable('the provider does not support PKCE with S256');
  }
  const methods = metadata.token_endpoint_auth_methods_supported;
  if (methods && !methods.includes(settings.tokenEndpointAuthMethod)) {
    throw unprocessable(
      `the provider does not accept ${settings.tokenEndpointAuthMethod} at its token endpoint (it accepts ${methods.join(', ')})`,
    );
  }
}

/** Why discovery failed, in one line an operator can act on. */
function describe(error: unknown): string {
  // A refused address was never connected to: its reason is the whole story, with no connection error to add.
  const refused = findOutboundAddressError(error);
  if (refused) return refused.message;
  return isTimeout(error) ? `no answer within ${DISCOVERY_TIMEOUT_SECONDS} s` : describeProviderError(error);
}

function unprocessable(message: string, cause?: unknown): IdentityError {
  return new IdentityError('unprocessable', message, { cause });
}
