import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { DataSource } from 'typeorm';
import { IdentityError } from '../errors/identity-error';
import { TenantsService } from '../tenants/tenants.service';
import { hashToken } from '../tokens/token-hasher';
import { CreateSetupLinkInput, SetupLinkScope } from './setup-link.input';
import { SetupLinkRepository } from './setup-link.repository';
import { SetupLinkStatus, SetupLinkView, setupLinkStatus, toSetupLinkView } from './setup-link.view';

/** A link as created: the only time its secret (inside `url`) is visible. */
export interface CreatedSetupLink {
  readonly id: string;
  readonly url: string;
  readonly expiresAt: string;
  readonly scopes: SetupLinkScope[];
  readonly email: string | null;
}

/** A link that was just used up: what the portal session it opens may do. */
export interface RedeemedSetupLink {
  readonly id: string;
  readonly tenant: { readonly id: string; readonly slug: string; readonly name: string };
  readonly scopes: SetupLinkScope[];
  readonly email: string | null;
}

/** Why a secret opens nothing: no such link, or a link that no longer opens. */
export type SetupLinkRefusal = 'unknown' | Exclude<SetupLinkStatus, 'active'>;

export type Redemption<T> =
  | { readonly ok: true; readonly link: RedeemedSetupLink; readonly started: T }
  | { readonly ok: false; readonly reason: SetupLinkRefusal };

const HOUR_MS = 3600_000;
// Longer than any secret we hand out (43 characters): anything else is forged, without a query.
const MAX_SECRET_LENGTH = 64;

/** Creates, lists, revokes and redeems the single-use links to a tenant's setup portal. */
@Injectable()
export class SetupLinksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly tenants: TenantsService,
    private readonly links: SetupLinkRepository,
  ) {}

  /** `createdBy`: the creator as `type:id` of the audit actor. */
  async create(slug: string, input: CreateSetupLinkInput, createdBy: string): Promise<CreatedSetupLink> {
    const tenant = await this.tenants.get(slug);
    // 256 random bits: nothing to guess, so a fast hash (found by index) is the right one.
    const secret = randomBytes(32).toString('base64url');
    const saved = await this.links.insert(tenant.id, {
      secretHash: hashToken(secret),
      scopes: input.scopes,
      email: input.email ?? null,
      expiresAt: new Date(Date.now() + input.ttlHours * HOUR_MS),
      createdBy,
    });
    return {
      id: saved.id,
      url: `${this.config.publicUrl}/setup/${secret}`,
      expiresAt: saved.expiresAt.toISOString(),
      scopes: input.scopes,
      email: saved.email,
    };
  }

  async list(slug: string): Promise<SetupLinkView[]> {
    const tenant = await this.tenants.get(slug);
    const now = new Date();
    return (await this.links.list(tenant.id)).map((link) => toSetupLinkView(link, now));
  }

  async revoke(slug: string, id: string): Promise<void> {
    const tenant = await this.tenants.get(slug);
    if (!(await this.links.revoke(tenant.id, id))) {
      throw IdentityError.notFound(`no setup link "${id}" in tenant "${slug}"`);
    }
  }

  /**
   * Uses the link up and runs `start` (which opens the portal session) in the same
   * transaction: if `start` fails, the link stays unused. A link that does not open
   * is left exactly as it was, and the answer says why.
   */
  async redeem<T>(secret: string, start: (link: RedeemedSetupLink) => Promise<T>): Promise<Redemption<T>> {
    if (secret.length === 0 || secret.length > MAX_SECRET_LENGTH) return { ok: false, reason: 'unknown' };
    const hash = hashToken(secret);
    const redeemed = await this.dataSource.transaction(async (em) => {
      const row = await this.links.redeem(em, hash);
      if (!row) return undefined;
      const link: RedeemedSetupLink = {
        id: row.id,
        tenant: { id: row.tenant_id, slug: row.slug, name: row.name },
        scopes: row.scopes as SetupLinkScope[],
        email: row.email,
      };
      return { link, started: await start(link) };
    });
    if (redeemed) return { ok: true, ...redeemed };
    const link = await this.links.findBySecret(hash);
    if (!link) return { ok: false, reason: 'unknown' };
    const status = setupLinkStatus(link);
    // 'active' here: it expired or opened between the two statements; either way it no longer opens.
    return { ok: false, reason: status === 'active' ? 'expired' : status };
  }
}
