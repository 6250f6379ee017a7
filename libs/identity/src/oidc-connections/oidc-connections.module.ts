import { Module } from '@nestjs/common';
import { SecretsModule } from '../secrets/secrets.module';
import { TenantsModule } from '../tenants/tenants.module';
import { IssuerDiscovery } from './issuer-discovery';
import { OidcConnectionsService } from './oidc-connections.service';

/** Tenants' connections to their identity providers. */
@Module({
  imports: [TenantsModule, SecretsModule],
  providers: [OidcConnectionsService, IssuerDiscovery],
  exports: [OidcConnectionsService, IssuerDiscovery],
})
export class OidcConnectionsModule {}
