import { z } from 'zod';
import { GUIDE_IDPS } from './setup-guide';

/** `GET /admin/v1/tenants/{slug}/setup-guide?idp=okta|entra&format=markdown|html` (Okta and Markdown by default). */
export const setupGuideQuery = z.object({
  idp: z.enum(GUIDE_IDPS, { error: 'must be "okta" or "entra"' }).default('okta'),
  format: z.enum(['markdown', 'html'], { error: 'must be "markdown" or "html"' }).default('markdown'),
});
export type SetupGuideQuery = z.output<typeof setupGuideQuery>;
