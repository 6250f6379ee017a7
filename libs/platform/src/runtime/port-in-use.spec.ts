import { isPortInUse, portInUseMessage, portVariable } from './port-in-use';

describe('port in use', () => {
  it.each([
    ['scim', 'SCIM_PORT'],
    ['oidc', 'OIDC_PORT'],
    ['worker', 'WORKER_PORT'],
  ])('names the variable of the %s app', (app, variable) => {
    expect(portVariable(app)).toBe(variable);
    expect(portInUseMessage(app, 3000)).toBe(
      `port 3000 (${variable}) is already in use: is another gateway running? Stop it, or set ${variable} to another port`,
    );
  });

  it('recognises EADDRINUSE and nothing else', () => {
    const inUse = Object.assign(new Error('listen EADDRINUSE: address already in use 0.0.0.0:3000'), {
      code: 'EADDRINUSE',
    });
    expect(isPortInUse(inUse)).toBe(true);
    expect(isPortInUse(Object.assign(new Error('listen EACCES'), { code: 'EACCES' }))).toBe(false);
    expect(isPortInUse('EADDRINUSE')).toBe(false);
  });
});
