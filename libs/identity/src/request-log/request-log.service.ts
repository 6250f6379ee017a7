import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { MetricsRegistry } from '@app/platform';
import { Counter } from 'prom-client';
import { parseInput } from '../errors/parse-input';
import { TenantsService } from '../tenants/tenants.service';
import { BatchWriter } from './batch-writer';
import { errorCode } from './error-code';
import { LogPage, toLogPage } from './log-page';
import { scimRequestsQuery, signInFailuresQuery } from './request-log.query';
import { RequestLogRepository } from './request-log.repository';
import type { ScimRequestRecord, ScimRequestView, SignInFailureRecord, SignInFailureView } from './request-log.rows';

const FLUSH_EVERY_MS = 1000;
const BATCH_SIZE = 500;
/** About 10,000 short rows: a few megabytes at most while PostgreSQL is away. */
const MAX_BUFFERED = 10_000;

/**
 * The client id of the product whose sign-in returns to `returnTo` (a product's sign-in
 * page at the gateway's OpenID Provider); undefined when it is not one, or is over.
 */
export type ProductOfReturn = (returnTo: string) => Promise<string | undefined>;

/**
 * Each tenant's SCIM requests and refused sign-ins. Recording returns at once: rows are
 * buffered and inserted in batches off the request, dropped and counted (in
 * `gateway_request_log_dropped_total`, with one warning when dropping starts and one line when
 * writing resumes) while PostgreSQL is away, and written out on shutdown.
 */
@Injectable()
export class RequestLogService implements OnApplicationShutdown {
  private readonly logger = new Logger('RequestLog');
  private readonly scimRequests: BatchWriter<ScimRequestRecord>;
  private readonly signInFailures: BatchWriter<SignInFailureRecord>;
  private readonly droppedRows: Counter<'log'>;
  private productOf: ProductOfReturn | undefined;
  /** Refused sign-ins waiting for their product's lookup: a flush waits for them. */
  private readonly lookingUp = new Set<Promise<void>>();

  constructor(
    private readonly repository: RequestLogRepository,
    private readonly tenants: TenantsService,
    registry: MetricsRegistry,
  ) {
    this.droppedRows = new Counter({
      name: 'gateway_request_log_dropped_total',
      help: 'Rows of the SCIM request log and of refused sign-ins dropped (a full buffer, or PostgreSQL away)',
      labelNames: ['log'],
      registers: [registry],
    });
    this.scimRequests = this.writer('scim_request_log', (rows) => this.repository.insertScimRequests(rows));
    this.signInFailures = this.writer('sign_in_failures', (rows) => this.repository.insertSignInFailures(rows));
  }

  recordScimRequest(record: ScimRequestRecord): void {
    this.scimRequests.push(record);
  }

  /**
   * Records a refused sign-in. One that was to return to a product's sign-in (a gateway sign-in
   * made for a product) is recorded with that product's client id once it is looked up; if the
   * lookup fails, without it.
   */
  recordSignInFailure(record: SignInFailureRecord): void {
    const { returnTo, ...row } = record;
    const productOf = this.productOf;
    if (returnTo === undefined || row.clientId || !productOf) {
      this.signInFailures.push(row);
      return;
    }
    const lookup: Promise<void> = productOf(returnTo)
      .then(
        (clientId) => this.signInFailures.push({ ...row, clientId: clientId ?? null }),
        () => this.signInFailures.push(row),
      )
      .finally(() => this.lookingUp.delete(lookup));
    this.lookingUp.add(lookup);
  }

  /**
   * How the app that serves products' sign-ins (the OIDC app's OpenID Provider) tells which
   * product a gateway sign-in was for: set once at its start. The request log lives below the
   * apps, so the app hands the lookup down rather than this library knowing the provider.
   */
  findProductsWith(productOf: ProductOfReturn): void {
    this.productOf = productOf;
  }

  /** Rows dropped since the start, per log. */
  get dropped(): { scimRequests: number; signInFailures: number } {
    return { scimRequests: this.scimRequests.dropped, signInFailures: this.signInFailures.dropped };
  }

  /** Writes what is buffered now (tests, and shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.lookingUp]);
    await Promise.all([this.scimRequests.flush(), this.signInFailures.flush()]);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.lookingUp]);
    await Promise.all([this.scimRequests.close(), this.signInFailures.close()]);
  }

  async listScimRequests(slug: string, rawQuery: unknown): Promise<LogPage<ScimRequestView>> {
    const query = parseInput(scimRequestsQuery, rawQuery);
    const tenant = await this.tenants.get(slug);
    const rows = await this.repository.readScimRequests({
      tenantId: tenant.id,
      before: query.after,
      limit: query.limit,
      status: query.status,
    });
    return toLogPage(rows, query.limit, (row) => row);
  }

  async listSignInFailures(slug: string, rawQuery: unknown): Promise<LogPage<SignInFailureView>> {
    const query = parseInput(signInFailuresQuery, rawQuery);
    const tenant = await this.tenants.get(slug);
    const rows = await this.repository.readSignInFailures({
      tenantId: tenant.id,
      before: query.after,
      limit: query.limit,
    });
    return toLogPage(rows, query.limit, (row) => row);
  }

  /** Deletes up to `limit` SCIM requests older than `olderThanMs`, oldest first; how many. */
  pruneScimRequests(olderThanMs: number, limit: number): Promise<number> {
    return this.repository.pruneScimRequests(olderThanMs, limit);
  }

  /** Deletes up to `limit` refused sign-ins older than `olderThanMs`, oldest first; how many. */
  pruneSignInFailures(olderThanMs: number, limit: number): Promise<number> {
    return this.repository.pruneSignInFailures(olderThanMs, limit);
  }

  private writer<Row>(table: string, insert: (rows: Row[]) => Promise<void>): BatchWriter<Row> {
    let droppedSinceWrite = 0;
    return new BatchWriter<Row>({
      write: async (rows) => {
        await insert(rows);
        if (droppedSinceWrite > 0) {
          this.logger.log(`request-log.resumed table=${table} dropped=${droppedSinceWrite}`);
          droppedSinceWrite = 0;
        }
      },
      intervalMs: FLUSH_EVERY_MS,
      batchSize: BATCH_SIZE,
      maxBuffered: MAX_BUFFERED,
      onDrop: (count, cause) => {
        this.droppedRows.inc({ log: table }, count);
        if (droppedSinceWrite === 0) {
          this.logger.warn(`request-log.dropping table=${table} reason=${errorCode(cause)}`);
        }
        droppedSinceWrite += count;
      },
    });
  }
}
