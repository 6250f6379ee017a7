import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditLogService } from '@app/identity/audit/audit-log.service';
import { JobName } from '@app/identity/deliveries/delivery-jobs';
import { RequestLogService } from '@app/identity/request-log/request-log.service';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { JobProcessor } from '../queues/job-processor';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 5000;

/** Deletes in batches until a batch comes back short, so no statement holds locks for long. */
async function pruneAll(prune: (olderThanMs: number, limit: number) => Promise<number>, olderThanMs: number) {
  let total = 0;
  for (;;) {
    const deleted = await prune(olderThanMs, BATCH);
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

/**
 * Deletes audit entries older than AUDIT_RETENTION_DAYS, and SCIM requests and refused
 * sign-ins older than SCIM_REQUEST_LOG_RETENTION_DAYS, oldest first. The only deletion the
 * audit log ever sees. Runs hourly.
 */
@Injectable()
export class PruneRecordsProcessor implements JobProcessor<JobName.PruneRecords> {
  readonly jobName = JobName.PruneRecords;
  private readonly logger = new Logger(PruneRecordsProcessor.name);

  constructor(
    private readonly audit: AuditLogService,
    private readonly requestLog: RequestLogService,
    @Inject(APP_CONFIG)
    private readonly config: Pick<ResolvedConfig, 'auditRetentionDays' | 'scimRequestLogRetentionDays'>,
  ) {}

  async process(): Promise<void> {
    const logAge = this.config.scimRequestLogRetentionDays * DAY_MS;
    const audit = await pruneAll((age, limit) => this.audit.prune(age, limit), this.config.auditRetentionDays * DAY_MS);
    const requests = await pruneAll((age, limit) => this.requestLog.pruneScimRequests(age, limit), logAge);
    const signIns = await pruneAll((age, limit) => this.requestLog.pruneSignInFailures(age, limit), logAge);
    if (audit + requests + signIns > 0) {
      this.logger.log(`records.pruned audit=${audit} scim_requests=${requests} sign_in_failures=${signIns}`);
    }
  }
}
