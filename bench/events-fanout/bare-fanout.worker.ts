/**
 * The baseline: the same fan-out with bare BullMQ and no PostgreSQL: a fan-out job per change adds one
 * delivery job per receiver, and a delivery worker POSTs the body. No signatures, no delivery log,
 * no ordering. Run as a child process by events-fanout.bench.ts:
 *   node bench/run.js bench/events-fanout/bare-fanout.worker.ts <redisUrl> <prefix> <url>…
 */
import { Queue, Worker } from 'bullmq';
import { bullConnection } from '@app/identity/deliveries/bull-connection';

const [redisUrl, prefix, ...urls] = process.argv.slice(2);
const connection = bullConnection(redisUrl);
const deliveries = new Queue('bare-deliveries', { connection, prefix });

const fanOut = new Worker<{ id: string; body: string }>(
  'bare-fan-out',
  async (job) => {
    await deliveries.addBulk(
      urls.map((url, i) => ({
        name: 'deliver',
        data: { url, id: job.data.id, body: job.data.body },
        opts: { jobId: `${job.data.id}-${i}`, removeOnComplete: true, attempts: 3 },
      })),
    );
  },
  { connection, prefix, concurrency: 8 },
);
const deliver = new Worker<{ url: string; id: string; body: string }>(
  'bare-deliveries',
  async (job) => {
    const response = await fetch(job.data.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': job.data.id },
      body: job.data.body,
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  },
  { connection, prefix, concurrency: 64 },
);

process.on('SIGTERM', () => {
  void Promise.all([fanOut.close(), deliver.close(), deliveries.close()]).then(() => process.exit(0));
});
process.stdout.write('ready\n');
