import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { RequestLogService } from '@app/identity/request-log/request-log.service';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import type { FastifyRequest } from 'fastify';
import { signInFailureRecord } from '../sign-in/sign-in-failure.record';
import { ProductProvider } from './product-provider';
import { isInteractionUrl } from './provider-routes';

/** A product's sign-in refused at the interaction, once its tenant is known. */
export interface ProductSignInRefusal {
  readonly tenantId: string;
  readonly clientId: string;
  readonly status: number;
  /** What the person (or the product, in `error_description`) was told. */
  readonly reason: string;
  /** The cause, e.g. the OAuth error code sent to the product. */
  readonly detail: string;
}

/**
 * Products' refused sign-ins in the tenant's sign-in failures, beside the gateway's
 * own, naming the product: those refused at the interaction (a product that does not
 * serve the tenant) are recorded here; those refused in the gateway sign-in the
 * interaction sent the browser through (the tenant IdP's callback failed, a deactivated
 * user) are recorded by the sign-in, and this tells the request log which product
 * that sign-in was for.
 */
@Injectable()
export class ProductSignInFailures implements OnModuleInit {
  private readonly logger = new Logger(ProductSignInFailures.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly requestLog: RequestLogService,
    private readonly provider: ProductProvider,
  ) {}

  onModuleInit(): void {
    this.requestLog.findProductsWith((returnTo) => this.productOf(returnTo));
  }

  record(request: FastifyRequest, refusal: ProductSignInRefusal): void {
    const { tenantId, clientId, status, reason, detail } = refusal;
    const failure = signInFailureRecord(request, { status, message: reason, tenantId, clientId }, detail, new Date());
    if (failure) this.requestLog.recordSignInFailure(failure);
  }

  /**
   * The client id of the sign-in in progress at this interaction page. Only the gateway's
   * own interaction URL counts, and only while its interaction lasts (15 minutes): a
   * `return_to` a visitor made up names no product.
   */
  private async productOf(returnTo: string): Promise<string | undefined> {
    if (!isInteractionUrl(returnTo, this.config.publicUrl)) return undefined;
    const uid = decodeURIComponent(new URL(returnTo).pathname.split('/').pop()!);
    try {
      const interaction = await (await this.provider.provider()).Interaction.find(uid);
      const clientId = interaction?.params.client_id;
      return typeof clientId === 'string' ? clientId : undefined;
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'provider.sign_in_failure.product_unknown');
      return undefined;
    }
  }
}
