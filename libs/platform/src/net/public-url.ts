import { OutboundAddressError } from './outbound-address.error';
import { OutboundAddressOptions, resolvePublicHost, systemLookup } from './public-host';

/**
 * Save-time check of a URL the gateway will call (an issuer, a webhook, a
 * back-channel logout URI): its host, a literal IP or every address its name
 * resolves to, must be public unless private networks are allowed. Nothing is
 * connected to. Throws an OutboundAddressError (`private_address`, or
 * `unresolvable_host` when the name does not resolve) whose message names the URL.
 */
export async function assertPublicUrl(url: string | URL, options: OutboundAddressOptions): Promise<void> {
  if (options.allowPrivateNetworks) return;
  const parsed = typeof url === 'string' ? new URL(url) : url;
  const target = parsed.href;
  try {
    await resolvePublicHost(parsed.hostname, options.lookup ?? systemLookup, target);
  } catch (error) {
    if (error instanceof OutboundAddressError) throw error;
    const code = (error as NodeJS.ErrnoException | null)?.code;
    throw new OutboundAddressError(
      'unresolvable_host',
      `${target} does not resolve${typeof code === 'string' ? ` (${code})` : ''}`,
      { cause: error },
    );
  }
}
