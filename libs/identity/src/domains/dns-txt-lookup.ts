import { Resolver } from 'node:dns/promises';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';

/** What a TXT lookup found: the records, none, or a failure to ask. */
export type TxtAnswer =
  | { readonly kind: 'found'; readonly records: string[][] }
  | { readonly kind: 'none' }
  | { readonly kind: 'failed'; readonly reason: string };

// The DNS answers that mean "no such record" rather than "could not ask".
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA', 'NOTFOUND', 'NODATA']);

/** Looks up TXT records with the servers of DNS_RESOLVER, or the system's resolver when unset. */
@Injectable()
export class DnsTxtLookup {
  private readonly resolver: Resolver;

  constructor(@Inject(APP_CONFIG) config: ResolvedConfig) {
    // A short timeout and two tries: an admin waits on the verify button.
    this.resolver = new Resolver({ timeout: 2_000, tries: 2 });
    if (config.dnsResolvers?.length) this.resolver.setServers([...config.dnsResolvers]);
  }

  async txt(name: string): Promise<TxtAnswer> {
    try {
      return { kind: 'found', records: await this.resolver.resolveTxt(name) };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && NO_RECORD.has(code)) return { kind: 'none' };
      return { kind: 'failed', reason: typeof code === 'string' ? code : 'lookup failed' };
    }
  }
}
