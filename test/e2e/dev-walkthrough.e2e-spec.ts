import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { HttpBrowser } from '../support/http-browser';
import { Finished, childEnv, collect, distEntry, freePort, runNode } from '../support/processes';
import { SignInGateway, startSignInGateway } from '../support/sign-in-gateway';
import { eventually } from '../support/webhook-receiver';

/** The built dev commands (`npm test` builds first). */
const DEV_IDP = join(__dirname, '..', '..', 'dist', 'apps', 'dev', 'src', 'dev-idp.main.js');
const DEV_WEBHOOKS = join(__dirname, '..', '..', 'dist', 'apps', 'dev', 'src', 'dev-webhooks.main.js');
const CLI_PREFIX = 'npm run -s cli -- ';

/** A long-running child process and what it has printed so far. */
interface Running {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
}

/**
 * The README's "Try it in five minutes" on a gateway listening on loopback:
 * `npm run dev:idp` prints the commands that connect a tenant to it, the CLI
 * runs them as printed, alice signs in over HTTP, and `npm run dev:webhooks`
 * prints the events her sign-in caused.
 */
describe('trying the gateway locally: dev IdP, CLI and dev webhooks', () => {
  let gateway: SignInGateway;
  const running: Running[] = [];

  beforeAll(async () => {
    gateway = await startSignInGateway();
  });

  afterAll(async () => {
    await Promise.all(running.map(({ child }) => stop(child)));
    await gateway?.close();
  });

  const cliEnv = () => childEnv({ PUBLIC_URL: gateway.publicUrl, ADMIN_TOKEN: gateway.config.adminToken });
  const cli = (args: string[]): Promise<Finished> => runNode(distEntry('cli'), args, cliEnv());

  const start = async (entry: string, args: string[], readyWhen: string): Promise<Running> => {
    const child = spawn(process.execPath, [entry, ...args], {
      // The dev IdP reads the gateway's PUBLIC_URL from the environment, as it does beside `npm start`.
      env: childEnv({ PUBLIC_URL: gateway.publicUrl }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(child);
    const started = { child, ...output };
    running.push(started);
    await eventually(() => output.stdout().includes(readyWhen), 30_000, `${entry} to print "${readyWhen}"`);
    return started;
  };

  it('connects a tenant with the printed commands, signs alice in, and prints her events as webhooks', async () => {
    const idp = await start(DEV_IDP, ['--port', '0'], 'Ctrl-C stops the IdP.');
    const printed = idp.stdout();
    expect(printed).toContain('ALLOW_HTTP_ISSUERS=true ALLOW_PRIVATE_NETWORKS=true npm start');
    expect(printed).toMatch(/alice@acme\.test\s+Alice Archer\s+groups: Engineering, Admins/);
    expect(printed).toContain(`${gateway.publicUrl}/auth/login?tenant=acme`);
    const commands = printed
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith(CLI_PREFIX))
      .map((line) => shellWords(line.slice(CLI_PREFIX.length)));
    expect(commands.map((args) => args.slice(0, 2))).toEqual([
      ['tenants', 'create'],
      ['oidc', 'set'],
    ]);
    for (const args of commands) {
      const result = await cli(args);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: '' });
    }

    // A subscription, then the receiver with its secret, as the README does before signing in.
    const port = await freePort();
    const created = await cli([
      '--json',
      'subscriptions',
      'create',
      'dev',
      '--url',
      `http://127.0.0.1:${port}/`,
      '--events',
      'user.*',
      '--tenant',
      'acme',
    ]);
    expect(created.code).toBe(0);
    const { secret } = JSON.parse(created.stdout) as { secret: string };
    const webhooks = await start(DEV_WEBHOOKS, ['--port', String(port), '--secret', secret], 'Receiving webhooks');

    const browser = new HttpBrowser();
    const loginPage = await browser.open(`${gateway.publicUrl}/auth/login?tenant=acme`);
    expect(loginPage.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/interaction\//);
    const wrongPassword = await browser.submitLoginForm(loginPage, 'alice@acme.test', 'not-her-password');
    expect(wrongPassword.body).toContain('Unable to sign in');

    const me = await browser.follow(await browser.submitLoginForm(loginPage, 'alice@acme.test', 'password'));
    expect(me.url).toBe(`${gateway.publicUrl}/auth/me`);
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({
      user: {
        tenant: 'acme',
        userName: 'alice@acme.test',
        email: 'alice@acme.test',
        name: 'Alice Archer',
        groups: ['Engineering', 'Admins'],
      },
    });

    await eventually(
      () => webhooks.stdout().includes('user.signed_in  tenant acme'),
      30_000,
      'dev:webhooks to print user.signed_in',
    );
    expect(webhooks.stdout()).toMatch(/^user\.created {2}tenant acme {2}user [0-9a-f-]{36} {2}sequence 1 {2}id /m);
    expect(webhooks.stdout()).toContain('"userName": "alice@acme.test"');
    expect(webhooks.stderr()).toBe('');
  });

  it('dev:webhooks answers 401 to a request signed with another secret, and prints nothing for it', async () => {
    const port = await freePort();
    const secret = `whsec_${Buffer.from('the subscription secret, 32 bytes').toString('base64')}`;
    const webhooks = await start(DEV_WEBHOOKS, ['--port', String(port), '--secret', secret], 'Receiving webhooks');
    const body = JSON.stringify({ id: 'forged', type: 'user.deleted' });
    const forger = new Webhook(`whsec_${Buffer.from('some other secret of 32 bytes!!!').toString('base64')}`);
    const timestamp = new Date();
    const answer = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'forged',
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': forger.sign('forged', timestamp, body),
      },
      body,
    });
    expect(answer.status).toBe(401);
    await eventually(() => webhooks.stderr().includes('refused a request'), 10_000, 'the refusal on stderr');
    expect(webhooks.stdout()).not.toContain('user.deleted');
  });

  it('dev:webhooks refuses to start without a whsec_ secret, and dev:idp without a valid port', async () => {
    const noSecret = await runNode(DEV_WEBHOOKS, [], childEnv({}));
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toContain("required option '--secret <whsec>' not specified");
    const badSecret = await runNode(DEV_WEBHOOKS, ['--port', '0', '--secret', 'hunter2'], childEnv({}));
    expect(badSecret.code).toBe(1);
    expect(badSecret.stderr).toContain('the secret is the whsec_… value the subscription was created with');
    const badPort = await runNode(DEV_IDP, ['--port', '70000'], childEnv({}));
    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toContain('a port is a number from 0 to 65535');
  });
});

/** Splits a printed command line as a shell would (words, and "quoted words"). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
