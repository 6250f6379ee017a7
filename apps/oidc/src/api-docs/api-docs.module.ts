import { Module } from '@nestjs/common';
import { ApiDocs } from './api-docs';
import { ApiDocsController } from './api-docs.controller';

/** `GET /api/openapi.json` and `GET /api/docs`: the OpenAPI 3.1 document of the admin and products APIs. */
@Module({
  controllers: [ApiDocsController],
  providers: [ApiDocs],
  exports: [ApiDocs],
})
export class ApiDocsModule {}
