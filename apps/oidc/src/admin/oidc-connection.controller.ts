import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { OidcConnectionView, toOidcConnectionView } from '@app/identity/oidc-connections/oidc-connection';
import { PutOidcConnectionInput, putOidcConnectionInput } from '@app/identity/oidc-connections/oidc-connection.input';
import { OidcConnectionsService } from '@app/identity/oidc-connections/oidc-connections.service';
import { ApiResult } from '../api-docs/api-docs.decorators';
import { AdminAuthGuard } from './admin-auth.guard';
import { PortalScope } from './portal-scope.decorator';
import { ZodValidationPipe } from './zod-validation.pipe';

/** A tenant's connection to its IdP. The client secret goes in and never comes out. */
@Controller('admin/v1/tenants/:slug/oidc')
@UseGuards(AdminAuthGuard)
export class OidcConnectionController {
  constructor(private readonly connections: OidcConnectionsService) {}

  @Put()
  @PortalScope('oidc')
  @ApiResult('OidcConnection', 'The connection as saved (never the secret).')
  async put(
    @Param('slug') slug: string,
    @Body(new ZodValidationPipe(putOidcConnectionInput)) input: PutOidcConnectionInput,
  ): Promise<OidcConnectionView> {
    return toOidcConnectionView(await this.connections.put(slug, input));
  }

  /**
   * Fetches the IdP's discovery document again and checks it as a save does; the connection's pinned
   * document is replaced only if it passes (else 422 with the reason, and sign-in goes on as before).
   */
  @Post('refresh')
  @PortalScope('oidc')
  @HttpCode(200)
  @ApiResult('OidcConnection', 'The connection, its discovery document fetched and checked again.')
  async refresh(@Param('slug') slug: string): Promise<OidcConnectionView> {
    return toOidcConnectionView(await this.connections.refresh(slug));
  }

  @Get()
  @PortalScope('oidc')
  @ApiResult('OidcConnection', 'The connection (never the secret).')
  async get(@Param('slug') slug: string): Promise<OidcConnectionView> {
    return toOidcConnectionView(await this.connections.get(slug));
  }

  @Delete()
  @PortalScope('oidc')
  @HttpCode(204)
  async delete(@Param('slug') slug: string): Promise<void> {
    await this.connections.delete(slug);
  }
}
