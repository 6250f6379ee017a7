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

/** What discovery checks a provider against: its issuer, and the client and its authentication method. */
export interface IssuerSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
}

/** What a relying-party configuration is built from. */
export interface OidcClientSettings extends IssuerSettings {
  readonly clientSecret: string;
}

/**
 * A discovery document as it was checked (RFC 8414 / OpenID Connect Discovery server metadata):
 * stored with the connection, and what sign-in's configuration is built from.
 */
export type ServerMetadata = oidc.ServerMetadata;

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

  /**
   * Fetches the issuer's discovery document and checks it: the issuer and every endpoint the gateway
   * calls are public addresses (unless ALLOW_PRIVATE_NETWORKS), and the provider supports what sign-in
   * needs. The document, or an `unprocessable` error saying what is wrong with the issuer.
   *
   * Only an operator's or a tenant admin's action calls this (saving the connection, refreshing it),
   * and the first use of a connection saved before documents were stored: never a visitor's sign-in.
   */
  async discover(settings: IssuerSettings): Promise<ServerMetadata> {
    const issuer = new URL(settings.issuer);
    const insecure = issuer.protocol === 'http:';
    if (insecure && !this.config.allowHttpIssuers) {
      throw unprocessable(`the issuer must be an https:// URL (http:// issuers need ALLOW_HTTP_ISSUERS=true)`);
    }
    await this.assertPublic(settings.issuer, 'the issuer');
    let metadata: ServerMetadata;
    try {
      const configuration = await oidc.discovery(
        issuer,
        settings.clientId,
        { token_endpoint_auth_method: settings.tokenEndpointAuthMethod },
        // Discovery authenticates nothing: the client's authentication is added where it is used.
        oidc.None(),
        {
          timeout: DISCOVERY_TIMEOUT_SECONDS,
          execute: insecure ? [oidc.allowInsecureRequests] : [],
          [oidc.customFetch]: this.transport.fetch,
        },
      );
      metadata = configuration.serverMetadata();
    } catch (error) {
      throw unprocessable(`discovery of ${settings.issuer} failed: ${describe(error)}`, error);
    }
    assertUsable(metadata, settings);
    for (const endpoint of CALLED_ENDPOINTS) {
      const url = metadata[endpoint];
      if (typeof url === 'string') await this.assertPublic(url, `the discovery document's ${endpoint}`);
    }
    return metadata;
  }

  /**
   * The configuration sign-in uses, built from a document `discover` checked and the connection stored:
   * no request to the IdP. Its token, userinfo and JWKS requests go through the guarded transport, so an
   * address is checked again when it is dialled.
   */
  fromMetadata(settings: OidcClientSettings, metadata: ServerMetadata): oidc.Configuration {
    const configuration = new oidc.Configuration(
      metadata,
      settings.clientId,
      { token_endpoint_auth_method: settings.tokenEndpointAuthMethod },
      clientAuthentication(settings),
    );
    configuration[oidc.customFetch] = this.transport.fetch;
    configuration.timeout = DISCOVERY_TIMEOUT_SECONDS;
    if (new URL(metadata.issuer).protocol === 'http:' && this.config.allowHttpIssuers) {
      oidc.allowInsecureRequests(configuration);
    }
    return configuration;
  }

  /**
   * Checks a pinned document's addresses again, without fetching it: the issuer and the endpoints
   * the gateway calls must still pass the address rules (ALLOW_PRIVATE_NETWORKS may have been turned
   * off since it was saved, or a name may now resolve elsewhere). An `unprocessable` error if not.
   */
  async assertStillPublic(metadata: ServerMetadata): Promise<void> {
    await this.assertPublic(metadata.issuer, 'the issuer');
    for (const endpoint of CALLED_ENDPOINTS) {
      const url = metadata[endpoint];
      if (typeof url === 'string') await this.assertPublic(url, `the discovery document's ${endpoint}`);
    }
  }

  /** Discovery and the configuration from it at once (the checks of `discover`). */
  async configure(settings: OidcClientSettings): Promise<oidc.Configuration> {
    return this.fromMetadata(settings, await this.discover(settings));
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
function assertUsable(metadata: oidc.ServerMetadata, settings: IssuerSettings): void {
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
