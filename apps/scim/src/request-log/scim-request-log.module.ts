import { Module } from '@nestjs/common';
import { RequestLogModule } from '@app/identity/request-log/request-log.module';
import { ScimRequestRecorder } from './scim-request-recorder';

/** Each tenant's SCIM requests, recorded for its operators (GET /admin/v1/tenants/{slug}/scim-requests). */
@Module({ imports: [RequestLogModule], providers: [ScimRequestRecorder] })
export class ScimRequestLogModule {}
