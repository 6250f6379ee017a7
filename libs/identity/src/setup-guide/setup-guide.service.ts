import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { DomainsService } from '../domains/domains.service';
import { TenantsService } from '../tenants/tenants.service';
import { tenantSetup } from '../tenants/tenant.view';
import { buildSetupGuide } from './setup-guide';
import type { SetupGuideQuery } from './setup-guide.input';
import { SETUP_GUIDE_HTML_HEADERS, renderSetupGuideHtml, renderSetupGuideMarkdown } from './setup-guide.render';

/** A rendered guide: the response's headers and body. */
export interface RenderedSetupGuide {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A tenant's setup guide with its own values, as Markdown or as a printable page. */
@Injectable()
export class SetupGuideService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly tenants: TenantsService,
    private readonly domains: DomainsService,
  ) {}

  async render(slug: string, query: SetupGuideQuery): Promise<RenderedSetupGuide> {
    const tenant = await this.tenants.get(slug);
    const guide = buildSetupGuide({
      idp: query.idp,
      tenant: { slug: tenant.slug, name: tenant.name },
      // From the configured public URLs, never from the request (as the tenant's `setup`).
      setup: tenantSetup(tenant.slug, this.config),
      domains: await this.domains.list(slug),
    });
    if (query.format === 'html') return { headers: SETUP_GUIDE_HTML_HEADERS, body: renderSetupGuideHtml(guide) };
    return {
      headers: {
        'content-type': 'text/markdown; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-disposition': `inline; filename="setup-${tenant.slug}-${query.idp}.md"`,
      },
      body: renderSetupGuideMarkdown(guide),
    };
  }
}
