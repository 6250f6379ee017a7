import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { RequestLogRepository } from './request-log.repository';
import { RequestLogService } from './request-log.service';

/** Each tenant's SCIM request log and refused sign-ins. */
@Module({
  imports: [TenantsModule],
  providers: [RequestLogRepository, RequestLogService],
  exports: [RequestLogService],
})
export class RequestLogModule {}
