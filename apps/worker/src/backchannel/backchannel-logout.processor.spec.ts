import { SigningKeysService } from '@app/identity';
import { BackchannelLogoutJob } from '@app/identity/deliveries/delivery-jobs';
import { ProductClientsService } from '@app/identity/product-clients/product-clients.service';
import { generateSigningKey, importSigningKey } from '@app/identity/signing-keys/signing-key-material';
import { ResolvedConfig } from '@app/platform';
import { Job, UnrecoverableError } from 'bullmq';
import { CountingServer, startCountingServer } from '../../../../test/support/counting-server';
import { BackchannelLogoutMetrics } from './backchannel-logout.metrics';
import { BackchannelLogoutProcessor } from './backchannel-logout.processor';

describe('BackchannelLogoutProcessor and the outbound address rule', () => {
  let receiver: CountingServer;
  let signingKeys: SigningKeysService;
  const processors: BackchannelLogoutProcessor[] = [];

  beforeAll(async () => {
    receiver = await startCountingServer();
    const generated = await generateSigningKey();
    const key = {
      kid: generated.kid,
      alg: generated.alg,
      privateKey: await importSigningKey(generated.privateJwk, generated.alg),
    };
    signingKeys = { activeKey: () => Promise.resolve(key) } as unknown as SigningKeysService;
  });
  afterEach(async () => {
    await Promise.all(processors.splice(0).map((processor) => processor.onModuleDestroy()));
  });
  afterAll(async () => {
    await receiver?.close();
  });

  const setup = (backchannelLogoutUri: string, allowPrivateNetworks: boolean) => {
    const metrics = { attempt: jest.fn() };
    const clients = { find: jest.fn().mockResolvedValue({ clientId: 'c-1', backchannelLogoutUri }) };
    const processor = new BackchannelLogoutProcessor(
      { allowPrivateNetworks, publicUrl: 'https://gateway.example' } as ResolvedConfig,
      clients as unknown as ProductClientsService,
      signingKeys,
      metrics as unknown as BackchannelLogoutMetrics,
    );
    processors.push(processor);
    const job = { data: { clientId: 'c-1', sub: 'u-1', sid: 's-1' }, attemptsMade: 0 } as Job<BackchannelLogoutJob>;
    return { processor, job, metrics };
  };

  it.each([
    ['a private network address', 'http://10.255.255.1/logout', /http:\/\/10\.255\.255\.1 is a private address/],
    [
      'the cloud metadata address',
      'http://169.254.169.254/latest/meta-data/',
      /http:\/\/169\.254\.169\.254 is a private address: 169\.254\.169\.254 is a link-local/,
    ],
  ])('fails for good, at once and before connecting, a URI on %s', async (_case, uri, why) => {
    const { processor, job, metrics } = setup(uri, false);
    const started = performance.now();
    const failure = processor.process(job);
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow(why);
    await expect(failure).rejects.toThrow(/^back-channel logout refused: .*ALLOW_PRIVATE_NETWORKS=true/);
    // A connection to either address would hang until the send timeout (10 s); half of it leaves a loaded machine room.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(metrics.attempt).toHaveBeenCalledWith('failed');
  });

  it('refuses a name that resolves to loopback, and the receiver sees no connection', async () => {
    const { processor, job } = setup(`http://localhost:${receiver.port}/logout`, false);
    await expect(processor.process(job)).rejects.toThrow(
      /^back-channel logout refused: .*resolves to a private address/,
    );
    expect(receiver.connections()).toBe(0);
  });

  it('reaches the same receiver when private networks are allowed (so the refusal is the rule’s)', async () => {
    const { processor, job, metrics } = setup(`http://localhost:${receiver.port}/logout`, true);
    await processor.process(job);
    expect(metrics.attempt).toHaveBeenCalledWith('delivered');
    expect(receiver.requests).toEqual(['/logout']);
  });
});
