import { Command } from 'commander';
import { parsePort, stopOnSignals } from './dev-process';
import { startWebhookPrinter } from './webhook-printer';

interface DevWebhooksOptions {
  port: number;
  secret: string;
}

/**
 * `npm run dev:webhooks`: a local webhook receiver that prints each event whose
 * signature verifies with the subscription's secret.
 */
const program = new Command('dev-webhooks')
  .description("Receive webhooks on loopback and print each event signed with the subscription's secret.")
  .option('--port <port>', 'port on 127.0.0.1 (0: any free one)', parsePort, 4001)
  .requiredOption('--secret <whsec>', 'the secret `subscriptions create` printed (whsec_…)')
  .action(async (options: DevWebhooksOptions) => {
    const printer = await startWebhookPrinter({
      port: options.port,
      secret: options.secret,
      print: (text) => void process.stdout.write(text),
      warn: (text) => void process.stderr.write(`${text}\n`),
    }).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 'EADDRINUSE') {
        throw new Error(`port ${options.port} on 127.0.0.1 is taken: choose another with --port`);
      }
      throw error;
    });
    process.stdout.write(`Receiving webhooks at ${printer.url} (Ctrl-C stops).\n`);
    stopOnSignals(() => printer.close());
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
