import type { IdentityEvent } from '../events/identity-event';
import { FanOutBatchRow, FanOutStatementRow, toFanOutBatchResult, toFanOutResult } from './delivery-fan-out';

const event = { id: 'e-1', type: 'user.updated', sequence: 2 } as unknown as IdentityEvent;
const row = (extra: Partial<FanOutStatementRow>): FanOutStatementRow => ({
  fannedOut: false,
  predecessorWaiting: false,
  marked: true,
  subjectType: 'user',
  subjectId: 'u-1',
  sequence: 2,
  event,
  id: null,
  round: null,
  subscriptionId: null,
  kind: null,
  url: null,
  secretSealed: null,
  heldByAttempts: null,
  ...extra,
});
const delivery = (id: string, heldByAttempts: number | null = null): Partial<FanOutStatementRow> => ({
  id,
  round: 0,
  subscriptionId: `s-${id}`,
  kind: 'webhook',
  url: `https://hooks.example/${id}`,
  secretSealed: Buffer.from('sealed'),
  heldByAttempts,
});

describe('toFanOutResult', () => {
  it('is unknown without a row (no such event)', () => {
    expect(toFanOutResult([])).toEqual({ state: 'unknown' });
  });

  it('lists the new deliveries of an event it marked, held or not', () => {
    const result = toFanOutResult([row(delivery('a')), row(delivery('b', 0))]);
    expect(result).toEqual({
      state: 'recorded',
      event,
      deliveries: [
        expect.objectContaining({ id: 'a', subscriptionId: 's-a', heldByAttempts: null }),
        expect.objectContaining({ id: 'b', subscriptionId: 's-b', heldByAttempts: 0 }),
      ],
    });
  });

  it('records an event no subscription selects with no delivery', () => {
    expect(toFanOutResult([row({})])).toEqual({ state: 'recorded', event, deliveries: [] });
  });

  it('waits while the previous change of the subject is not fanned out', () => {
    expect(toFanOutResult([row({ marked: false, predecessorWaiting: true })])).toEqual({
      state: 'waiting',
      subject: 'user u-1',
      sequence: 2,
    });
  });

  it.each([
    ['fanned out before', { marked: false, fannedOut: true }],
    ['fanned out by a concurrent run meanwhile', { marked: false }],
  ])('is a replay when %s', (_, extra) => {
    expect(toFanOutResult([row(extra)])).toEqual({ state: 'replayed' });
  });
});

describe('toFanOutBatchResult', () => {
  const batchRow = (eventId: string, extra: Partial<FanOutBatchRow>): FanOutBatchRow => ({
    eventId,
    fannedOut: false,
    ready: true,
    marked: true,
    subjectType: 'user',
    subjectId: 'u-1',
    sequence: 1,
    event: { ...event, id: eventId },
    id: null,
    round: null,
    subscriptionId: null,
    kind: null,
    url: null,
    secretSealed: null,
    heldByAttempts: null,
    ...extra,
  });

  it('sorts a batch into recorded events with their deliveries, replays and waiting events, in order', () => {
    const result = toFanOutBatchResult([
      batchRow('e-1', delivery('a')),
      batchRow('e-1', delivery('b', 0)),
      batchRow('e-2', { marked: false, fannedOut: true, event: null }),
      batchRow('e-3', {}),
      batchRow('e-4', { marked: false, ready: false, event: null }),
      // ready but not marked: a concurrent run marked it first
      batchRow('e-5', { marked: false, event: null }),
    ]);
    expect(result.recorded.map((r) => [r.event.id, r.deliveries.map((d) => [d.id, d.heldByAttempts])])).toEqual([
      [
        'e-1',
        [
          ['a', null],
          ['b', 0],
        ],
      ],
      ['e-3', []],
    ]);
    expect(result.replayed).toEqual(['e-2', 'e-5']);
    expect(result.waiting).toEqual(['e-4']);
  });

  it('is empty for an empty batch (no such events)', () => {
    expect(toFanOutBatchResult([])).toEqual({ recorded: [], replayed: [], waiting: [] });
  });
});
