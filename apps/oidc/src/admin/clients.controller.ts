import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import {
  CreateProductClientInput,
  UpdateProductClientInput,
  createProductClientInput,
  updateProductClientInput,
} from '@app/identity/product-clients/product-client.input';
import { ProductClientView, toProductClientView } from '@app/identity/product-clients/product-client.view';
import { ProductClientsService } from '@app/identity/product-clients/product-clients.service';
import { ApiResult, listOf } from '../api-docs/api-docs.decorators';
import { AdminAuthGuard } from './admin-auth.guard';
import { ZodValidationPipe } from './zod-validation.pipe';

/** The created client, and for a confidential client its secret: shown here and nowhere else, ever. */
type CreatedClientBody = ProductClientView & { clientSecret?: string };

/** `/admin/v1/clients`: the vendor's products as OIDC clients of the gateway (operator only). */
@Controller('admin/v1/clients')
@UseGuards(AdminAuthGuard)
export class ClientsController {
  constructor(private readonly clients: ProductClientsService) {}

  @Post()
  @ApiResult('CreatedProductClient', 'The client, and a confidential client’s secret, shown this once.')
  async create(
    @Body(new ZodValidationPipe(createProductClientInput)) input: CreateProductClientInput,
  ): Promise<CreatedClientBody> {
    const { client, clientSecret } = await this.clients.create(input);
    return { ...toProductClientView(client), ...(clientSecret === undefined ? {} : { clientSecret }) };
  }

  @Get()
  @ApiResult(listOf('clients', 'ProductClient'), 'Every product client.')
  async list(): Promise<{ clients: ProductClientView[] }> {
    return { clients: (await this.clients.list()).map(toProductClientView) };
  }

  @Get(':clientId')
  @ApiResult('ProductClient', 'The client.')
  async get(@Param('clientId') clientId: string): Promise<ProductClientView> {
    return toProductClientView(await this.clients.get(clientId));
  }

  @Patch(':clientId')
  @ApiResult('ProductClient', 'The client as changed.')
  async update(
    @Param('clientId') clientId: string,
    @Body(new ZodValidationPipe(updateProductClientInput)) input: UpdateProductClientInput,
  ): Promise<ProductClientView> {
    return toProductClientView(await this.clients.update(clientId, input));
  }

  @Delete(':clientId')
  @HttpCode(204)
  async delete(@Param('clientId') clientId: string): Promise<void> {
    await this.clients.delete(clientId);
  }

  /** A new secret, shown once; the old one stops working at once. */
  @Post(':clientId/secret')
  @HttpCode(200)
  @ApiResult('ClientSecret', 'The new secret, shown this once.')
  rotateSecret(@Param('clientId') clientId: string): Promise<{ clientId: string; clientSecret: string }> {
    return this.clients.rotateSecret(clientId);
  }
}
