import { encodeFeedCursor } from '../events-feed/feed-cursor';
import { replayInput } from './replay.input';

describe('replay input', () => {
  it.each([
    [{ after: encodeFeedCursor('10') }],
    [{ since: '2026-12-01T00:00:00Z', types: ['user.*', 'group.member_added'] }],
    [{ since: '2026-12-01T00:00:00.123+02:00' }],
  ])('accepts %p', (input) => {
    expect(replayInput.safeParse(input).success).toBe(true);
  });

  it.each([
    [{}, 'give exactly one of after'],
    [{ after: encodeFeedCursor('1'), since: '2026-12-01T00:00:00Z' }, 'give exactly one of after'],
    [{ after: 'garbage' }, 'must be a cursor of the events feed'],
    [{ since: 'yesterday' }, 'must be an ISO 8601 date-time'],
    [{ since: '2026-12-01T00:00:00Z', types: [] }, 'must name at least one event type'],
    [{ since: '2026-12-01T00:00:00Z', types: ['user.exploded'] }, 'must be an event type or family'],
    [{ since: '2026-12-01T00:00:00Z', extra: 1 }, 'Unrecognized key'],
  ])('refuses %p', (input, message) => {
    const result = replayInput.safeParse(input);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(message);
  });
});
