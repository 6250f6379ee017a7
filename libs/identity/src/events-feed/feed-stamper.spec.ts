import { RelayRow, nothingToFanOut } from './feed-stamper';

const row = (id: string, changes: Partial<RelayRow> = {}): RelayRow => ({
  position: id,
  id,
  unpublished: true,
  selected: false,
  waiting_for: null,
  ...changes,
});
const ids = (rows: readonly RelayRow[]) => nothingToFanOut(rows).map((r) => r.id);

describe('nothingToFanOut', () => {
  it('takes the rows no subscription selects whose subject has no earlier change waiting', () => {
    expect(ids([row('1'), row('2', { selected: true }), row('3')])).toEqual(['1', '3']);
  });

  it('leaves rows published already (a round that only stamps them) to what published them', () => {
    expect(ids([row('1', { unpublished: false }), row('2')])).toEqual(['2']);
  });

  it('follows a subject’s chain in the round: behind a change done here, done too; behind one handed on, handed on', () => {
    expect(
      ids([
        row('1'),
        row('2', { waiting_for: '1' }),
        row('3', { selected: true }),
        row('4', { waiting_for: '3' }),
        row('5', { waiting_for: '4' }),
      ]),
    ).toEqual(['1', '2']);
  });

  it('hands on a change whose earlier change waits outside the round (in the fan-out queue)', () => {
    expect(ids([row('9', { waiting_for: 'earlier-round' })])).toEqual([]);
  });

  it('takes nothing from an empty round', () => {
    expect(nothingToFanOut([])).toEqual([]);
  });
});
