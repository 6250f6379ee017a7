/** The setup portal's page: where a redeemed link lands, and where an administrator's sign-in returns. */
export const PORTAL_PATH = '/portal';

/** The gateway's own pages a sign-in may return to: the setup portal and the operator console. */
export const GATEWAY_PAGES = ['/portal', '/console'] as const;

/** Whether `url` is exactly one of the gateway's own pages (no query, no fragment): a safe `return_to`. */
export function isGatewayPage(url: string, publicUrl: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.origin === new URL(publicUrl).origin &&
      (GATEWAY_PAGES as readonly string[]).includes(parsed.pathname) &&
      parsed.search === '' &&
      parsed.hash === ''
    );
  } catch {
    return false;
  }
}
