import { Controller, Get, Header, Inject } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { API_DOCS_CSP, renderApiDocs } from './api-docs.page';
import { OpenApiDocument, productsApiDocument } from './products-api.openapi';

/** The products API's description, open to anyone: `GET /api/openapi.json` and its readable page `GET /api/docs`. */
@Controller('api')
export class ApiDocsController {
  private readonly document: OpenApiDocument;
  private readonly page: string;

  constructor(@Inject(APP_CONFIG) config: ResolvedConfig) {
    // Built once: the document depends only on PUBLIC_URL.
    this.document = productsApiDocument(config.publicUrl);
    this.page = renderApiDocs(this.document);
  }

  @Get('openapi.json')
  @Header('cache-control', 'no-cache')
  openapi(): OpenApiDocument {
    return this.document;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', API_DOCS_CSP)
  @Header('x-frame-options', 'DENY')
  @Header('cache-control', 'no-cache')
  docs(): string {
    return this.page;
  }
}
