import { isOperationalRoute } from './operational-routes';

describe('isOperationalRoute', () => {
  it.each(['/health/live', '/health/ready', '/health/ready?verbose=1', '/health', '/metrics', '/metrics?x=1'])(
    '%s is operational',
    (url) => {
      expect(isOperationalRoute(url)).toBe(true);
    },
  );

  it.each([
    '/scim/v2/Users',
    '/scim/v2/health/ready',
    '/healthz',
    '/metrics/extra',
    '/',
    '/scim/v2/Users?filter=/metrics',
  ])('%s is SCIM', (url) => {
    expect(isOperationalRoute(url)).toBe(false);
  });
});
