import { Controller, Get, Header } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { API_DOCS_CSP } from './api-docs.page';
import { ApiDocs } from './api-docs';

/** The admin and products APIs' description, open to anyone: `GET /api/openapi.json` and its readable page `GET /api/docs`. */
@Controller('api')
export class ApiDocsController {
  constructor(private readonly docs: ApiDocs) {}

  @Get('openapi.json')
  @Header('cache-control', 'no-cache')
  openapi(): Promise<OpenAPIObject> {
    return this.docs.document();
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', API_DOCS_CSP)
  @Header('x-frame-options', 'DENY')
  @Header('cache-control', 'no-cache')
  page(): Promise<string> {
    return this.docs.page();
  }
}
