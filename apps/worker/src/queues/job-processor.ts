import { JobName, JobPayloads } from '@app/identity/deliveries/delivery-jobs';
import { Job } from 'bullmq';

/** The one class that runs one job name (STYLE.md §5). */
export interface JobProcessor<Name extends JobName = JobName> {
  readonly jobName: Name;
  /** `token` is the job's lock token, needed to move it to delayed from inside the processor. */
  process(job: Job<JobPayloads[Name], unknown, Name>, token: string | undefined): Promise<void>;
}

/** Injection token of every JobProcessor of the worker. */
export const JOB_PROCESSORS = Symbol('JOB_PROCESSORS');
