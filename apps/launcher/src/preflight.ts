import { ConfigError } from '@app/platform/config/app-config';
import { loadConfig } from '@app/platform/config/load-config';
import { EXIT_CONFIG } from '@app/platform/runtime/exit-codes';
import { takenPortMessages } from './ports';

/**
 * What `npm start` asks before it builds: is a gateway already on these ports? A second
 * start beside a running one then stops in a moment, naming the port variables, rather
 * than rebuilding dist/ under the running gateway first. A configuration error is left
 * for the launcher to say, after the build.
 */
async function preflight(): Promise<void> {
  let ports;
  try {
    ports = loadConfig().ports;
  } catch (error) {
    if (error instanceof ConfigError) return;
    throw error;
  }
  const taken = await takenPortMessages(ports);
  for (const message of taken) process.stderr.write(`${message}\n`);
  if (taken.length > 0) process.exit(EXIT_CONFIG);
}

void preflight();
