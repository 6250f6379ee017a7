import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { NewDelivery } from '@app/identity/deliveries/delivery-fan-out';
import { FanOutJob } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { DelayedError, Job } from 'bullmq';
import { FIRST_ATTEMPT_BUDGET_MS, SubscriberPace } from '../delivery/subscriber-pace';
import { DeliveryOutcomes } from '../delivery/delivery-outcomes';
import { AttemptResult, WebhookAttempt } from '../delivery/webhook-attempt';
import { FanOutProcessor, HAND_OFF_DELAY_MS, MAX_FIRST_ATTEMPTS_IN_FLIGHT } from './fan-out.processor';

describe('FanOutProcessor', () => {
  const event = {
    id: 'e-1',
    type: 'user.created',
    occurredAt: '2026-01-01T00:00:00.000Z',
    tenant: { id: 't', slug: 't' },
    subject: { type: 'user', id: 'u' },
    sequence: 1,
    data: {},
  };
  const webhook = (subscriptionId: string, heldByAttempts: number | null = null): NewDelivery => ({
    id: `d-${subscriptionId}`,
    round: 0,
    subscriptionId,
    kind: 'webhook',
    url: `https://${subscriptionId}.example/h`,
    secretSealed: Buffer.from('sealed'),
    heldByAttempts,
  });

  const setup = (deliveries: NewDelivery[], verdicts: Record<string, AttemptResult['verdict']> = {}) => {
    const repository = {
      fanOut: jest.fn().mockResolvedValue({ state: 'recorded', event, deliveries }),
      pendingOfEvent: jest.fn().mockResolvedValue([]),
      fanOutBatch: jest.fn(),
      pendingOfEvents: jest.fn().mockResolvedValue([]),
    };
    const queues = {
      addDeliveries: jest.fn().mockResolvedValue(undefined),
      addRetries: jest.fn().mockResolvedValue(undefined),
    };
    const attempts = {
      make: jest.fn((target: NewDelivery): Promise<AttemptResult> =>
        Promise.resolve({ verdict: verdicts[target.subscriptionId] ?? 'delivered', error: null }),
      ),
    };
    const pace = new SubscriberPace();
    const outcomes = { awaitOnShutdown: jest.fn() };
    const processor = new FanOutProcessor(
      repository as unknown as DeliveryRepository,
      queues as unknown as EventQueues,
      attempts as unknown as WebhookAttempt,
      pace,
      outcomes as unknown as DeliveryOutcomes,
    );
    const job = { data: { eventId: 'e-1' } } as unknown as Job<FanOutJob>;
    return { processor, job, queues, attempts, pace, outcomes, repository };
  };

  it('makes first attempts, and hands a failed one to a retry job', async () => {
    const { processor, job, queues, attempts } = setup([webhook('fast'), webhook('hole')], { hole: 'retry' });
    await processor.process(job, 'token');
    expect(attempts.make).toHaveBeenCalledTimes(2);
    for (const [, , , place] of attempts.make.mock.calls as unknown as [unknown, unknown, unknown, object][]) {
      // The receiver has the sender's full timeout: the budget only bounds how long the fan-out waits.
      expect(place).toEqual({ attempt: 1, final: false });
    }
    expect(queues.addDeliveries).not.toHaveBeenCalled();
    expect(queues.addRetries).toHaveBeenCalledWith([expect.objectContaining({ id: 'd-hole', subscriptionId: 'hole' })]);
  });

  it('hands a slow subscriber’s delivery straight to a job, as it does a held one', async () => {
    const { processor, job, queues, attempts, pace } = setup([webhook('fast'), webhook('slow'), webhook('ordered', 0)]);
    pace.observe('slow', { elapsedMs: FIRST_ATTEMPT_BUDGET_MS, timedOut: true });
    await processor.process(job, 'token');
    expect(attempts.make).toHaveBeenCalledTimes(1);
    expect(attempts.make).toHaveBeenCalledWith(
      expect.objectContaining({ subscriptionId: 'fast' }),
      'e-1',
      expect.any(String),
      expect.anything(),
    );
    expect(queues.addDeliveries).toHaveBeenCalledWith([
      expect.objectContaining({ id: 'd-slow', subscriptionId: 'slow', kind: 'webhook' }),
      expect.objectContaining({ id: 'd-ordered', subscriptionId: 'ordered', kind: 'webhook' }),
    ]);
    expect(queues.addRetries).not.toHaveBeenCalled();
  });

  it('re-adds a replayed event’s pending deliveries with the attempts they made', async () => {
    const { processor, job, queues, attempts, repository } = setup([]);
    const pending = [{ id: 'd-1', round: 0, subscriptionId: 's-1', kind: 'webhook', attempts: 3 }];
    repository.fanOut.mockResolvedValue({ state: 'replayed' });
    repository.pendingOfEvent.mockResolvedValue(pending);
    await processor.process(job, 'token');
    expect(queues.addDeliveries).toHaveBeenCalledWith(pending);
    expect(attempts.make).not.toHaveBeenCalled();
  });

  describe('a relay round’s batch', () => {
    const change = (id: string, sequence: number, subject = 'u') => ({
      ...event,
      id,
      sequence,
      subject: { type: 'user', id: subject },
    });
    const delivery = (subscriptionId: string, eventId: string): NewDelivery => ({
      ...webhook(subscriptionId),
      id: `d-${subscriptionId}-${eventId}`,
    });
    const batchJob = (eventIds: string[]) => {
      const job: { data: FanOutJob; updateData: jest.Mock; moveToDelayed: jest.Mock } = {
        data: { eventIds },
        updateData: jest.fn((data: FanOutJob) => {
          job.data = data;
          return Promise.resolve();
        }),
        moveToDelayed: jest.fn().mockResolvedValue(undefined),
      };
      return job as typeof job & Job<FanOutJob>;
    };

    it('attempts a subscriber’s changes of one subject one after the other, others side by side', async () => {
      const { processor, attempts, repository } = setup([]);
      const order: string[] = [];
      const answers = new Map<string, () => void>();
      attempts.make.mockImplementation(
        (target: NewDelivery) =>
          new Promise<AttemptResult>((resolve) => {
            order.push(`start ${target.id}`);
            answers.set(target.id, () => {
              order.push(`end ${target.id}`);
              resolve({ verdict: 'delivered', error: null });
            });
          }),
      );
      const e1 = change('e-1', 1);
      const e2 = change('e-2', 2);
      const other = change('e-3', 1, 'v');
      repository.fanOutBatch.mockResolvedValue({
        recorded: [
          { event: e1, deliveries: [delivery('s', 'e-1')] },
          { event: e2, deliveries: [delivery('s', 'e-2')] },
          { event: other, deliveries: [delivery('s', 'e-3')] },
        ],
        replayed: [],
        waiting: [],
      });
      const job = batchJob(['e-1', 'e-2', 'e-3']);
      const done = processor.process(job, 'token');
      await new Promise((resolve) => setImmediate(resolve));
      // e-2 waits for e-1 (same subscriber, same subject); e-3 (another subject) does not.
      expect(order).toEqual(['start d-s-e-1', 'start d-s-e-3']);
      answers.get('d-s-e-1')!();
      await new Promise((resolve) => setImmediate(resolve));
      expect(order).toEqual(['start d-s-e-1', 'start d-s-e-3', 'end d-s-e-1', 'start d-s-e-2']);
      answers.get('d-s-e-2')!();
      answers.get('d-s-e-3')!();
      await done;
      expect(job.moveToDelayed).not.toHaveBeenCalled();
    });

    it('starts at most MAX_FIRST_ATTEMPTS_IN_FLIGHT first attempts at once; the others start as those end', async () => {
      const { processor, attempts, repository } = setup([]);
      const answers: (() => void)[] = [];
      attempts.make.mockImplementation(
        () =>
          new Promise<AttemptResult>((resolve) => answers.push(() => resolve({ verdict: 'delivered', error: null }))),
      );
      const events = Array.from({ length: MAX_FIRST_ATTEMPTS_IN_FLIGHT + 5 }, (_, i) => change(`e-${i}`, 1, `u-${i}`));
      repository.fanOutBatch.mockResolvedValue({
        recorded: events.map((e) => ({ event: e, deliveries: [delivery('s', e.id)] })),
        replayed: [],
        waiting: [],
      });
      const done = processor.process(batchJob(events.map((e) => e.id)), 'token');
      await new Promise((resolve) => setImmediate(resolve));
      expect(attempts.make).toHaveBeenCalledTimes(MAX_FIRST_ATTEMPTS_IN_FLIGHT);
      answers[0]();
      answers[1]();
      await new Promise((resolve) => setImmediate(resolve));
      expect(attempts.make).toHaveBeenCalledTimes(MAX_FIRST_ATTEMPTS_IN_FLIGHT + 2);
      while (answers.length < events.length) {
        answers[answers.length - 1]();
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (const answer of answers) answer();
      await done;
      expect(attempts.make).toHaveBeenCalledTimes(events.length);
    });

    it('hands the rest of a chain to delivery jobs when a change was not delivered, behind its retry', async () => {
      const { processor, queues, attempts, repository } = setup([]);
      attempts.make.mockResolvedValue({ verdict: 'retry', error: 'HTTP 500' });
      repository.fanOutBatch.mockResolvedValue({
        recorded: [
          { event: change('e-1', 1), deliveries: [delivery('s', 'e-1')] },
          { event: change('e-2', 2), deliveries: [delivery('s', 'e-2')] },
          { event: change('e-3', 3), deliveries: [delivery('s', 'e-3')] },
        ],
        replayed: [],
        waiting: [],
      });
      await processor.process(batchJob(['e-1', 'e-2', 'e-3']), 'token');
      expect(attempts.make).toHaveBeenCalledTimes(1);
      expect(queues.addRetries).toHaveBeenCalledWith([expect.objectContaining({ id: 'd-s-e-1' })]);
      expect(queues.addDeliveries).toHaveBeenCalledWith([
        expect.objectContaining({ id: 'd-s-e-2' }),
        expect.objectContaining({ id: 'd-s-e-3' }),
      ]);
    });

    it('re-adds the replayed events’ pending deliveries, and keeps only the waiting events in the delayed job', async () => {
      const { processor, queues, attempts, repository } = setup([]);
      const pending = [{ id: 'd-1', round: 0, subscriptionId: 's-1', kind: 'webhook', attempts: 1 }];
      repository.fanOutBatch.mockResolvedValue({
        recorded: [{ event: change('e-1', 1), deliveries: [delivery('s', 'e-1')] }],
        replayed: ['e-2'],
        waiting: ['e-3'],
      });
      repository.pendingOfEvents.mockResolvedValue(pending);
      const job = batchJob(['e-1', 'e-2', 'e-3']);
      await expect(processor.process(job, 'token')).rejects.toThrow(DelayedError);
      expect(queues.addDeliveries).toHaveBeenCalledWith(pending);
      expect(attempts.make).toHaveBeenCalledTimes(1);
      expect(job.updateData).toHaveBeenCalledWith({ eventIds: ['e-3'] });
      expect(job.moveToDelayed).toHaveBeenCalledWith(expect.any(Number), 'token');
    });
  });

  describe('a first attempt still running at the budget', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('is not aborted: it runs on in the background while a job delayed past the timeout takes over', async () => {
      const { processor, job, queues, attempts, pace, outcomes } = setup([webhook('fast'), webhook('slow')]);
      let answer: (result: AttemptResult) => void = () => undefined;
      const slowAttempt = new Promise<AttemptResult>((resolve) => (answer = resolve));
      attempts.make.mockImplementation((target: NewDelivery) =>
        target.subscriptionId === 'slow' ? slowAttempt : Promise.resolve({ verdict: 'delivered', error: null }),
      );
      let done = false;
      const fanOut = processor.process(job, 'token').then(() => (done = true));
      await jest.advanceTimersByTimeAsync(FIRST_ATTEMPT_BUDGET_MS - 1);
      expect(done).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await fanOut;
      // One job for the slow delivery, starting once the attempt still running has surely ended; no attempt counted by it.
      expect(queues.addRetries).toHaveBeenCalledTimes(1);
      expect(queues.addRetries).toHaveBeenCalledWith([expect.objectContaining({ id: 'd-slow' })], HAND_OFF_DELAY_MS);
      expect(HAND_OFF_DELAY_MS).toBeGreaterThan(10_000);
      expect(queues.addDeliveries).not.toHaveBeenCalled();
      // The breaker marks the subscriber slow at once; the other one is not.
      expect(pace.admitFirstAttempt('slow')).toBe(false);
      expect(pace.admitFirstAttempt('fast')).toBe(true);
      // The attempt was handed to shutdown to wait for; it goes on and ends as usual (WebhookAttempt records it).
      expect(outcomes.awaitOnShutdown).toHaveBeenCalledTimes(1);
      const background = (outcomes.awaitOnShutdown.mock.calls[0] as [Promise<unknown>])[0];
      answer({ verdict: 'delivered', error: null });
      await expect(background).resolves.toBeDefined();
      expect(attempts.make).toHaveBeenCalledTimes(2);
    });

    it('adds the hand-off job even when another first attempt failed, before failing the job', async () => {
      const { processor, job, queues, attempts } = setup([webhook('broken'), webhook('slow')]);
      attempts.make.mockImplementation((target: NewDelivery) =>
        target.subscriptionId === 'slow'
          ? new Promise<AttemptResult>(() => undefined)
          : Promise.reject(new Error('PostgreSQL is away')),
      );
      const fanOut = processor.process(job, 'token');
      const failure = expect(fanOut).rejects.toThrow('PostgreSQL is away');
      await jest.advanceTimersByTimeAsync(FIRST_ATTEMPT_BUDGET_MS);
      await failure;
      expect(queues.addRetries).toHaveBeenCalledWith([expect.objectContaining({ id: 'd-slow' })], HAND_OFF_DELAY_MS);
    });
  });
});
