/**
 * The health probes and Prometheus metrics every app serves. They keep Nest's
 * and terminus' own rendering, their own media types, and need no SCIM token;
 * everything else the SCIM app answers is SCIM.
 */
export function isOperationalRoute(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '';
  return path === '/metrics' || path === '/health' || path.startsWith('/health/');
}
