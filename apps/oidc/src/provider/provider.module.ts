import { Module } from '@nestjs/common';
import { AccessModule, TenantsModule } from '@app/identity';
import { DeliveriesModule } from '@app/identity/deliveries/deliveries.module';
import { ProductClientsModule } from '@app/identity/product-clients/product-clients.module';
import { RequestLogModule } from '@app/identity/request-log/request-log.module';
import { AuthModule } from '../auth/auth.module';
import { DownstreamTokensModule } from '../tokens/downstream-tokens.module';
import { InteractionController } from './interaction.controller';
import { InteractionFlow } from './interaction-flow.service';
import { ProductAccounts } from './product-accounts';
import { ProductProvider } from './product-provider';
import { ProductSessions } from './product-sessions';
import { ProductSignInFailures } from './product-sign-in-failures';
import { ProviderSessions } from './provider-sessions';

/** The OpenID Provider for the vendor's products: the provider itself, its sign-in interaction and its accounts. */
@Module({
  imports: [
    AuthModule,
    DownstreamTokensModule,
    ProductClientsModule,
    AccessModule,
    TenantsModule,
    DeliveriesModule,
    RequestLogModule,
  ],
  controllers: [InteractionController],
  providers: [
    ProductProvider,
    ProductAccounts,
    ProductSessions,
    ProviderSessions,
    InteractionFlow,
    ProductSignInFailures,
  ],
  exports: [ProductProvider, ProductSessions],
})
export class ProviderModule {}
