import { dataSourceOptions } from './data-source';

const URL = 'postgres://gateway@127.0.0.1:5432/gateway';

describe('dataSourceOptions', () => {
  it('bounds nothing by default: migrations, the CLI and the other apps run unbounded', () => {
    expect(dataSourceOptions(URL).extra).toEqual({ max: 20 });
  });

  it('sends a statement timeout at each connection start and bounds the wait for a connection', () => {
    expect(dataSourceOptions(URL, 'scim', { statementTimeoutMs: 5000 }).extra).toEqual({
      max: 20,
      statement_timeout: 5000,
      connectionTimeoutMillis: 5000,
    });
  });
});
