import type { ScimTokenView } from '@app/identity';
import type { Command } from 'commander';
import type { CliContext } from './cli-context';

interface RotatedToken {
  id: string;
  token: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  replaces: string;
}

interface EndedRotation {
  revoked: ScimTokenView;
  active: ScimTokenView;
}

const rotationPath = (slug: string, id: string, end = ''): string =>
  `/tenants/${encodeURIComponent(slug)}/scim-tokens/${encodeURIComponent(id)}/rotation${end}`;

/**
 * `tokens rotate|rotation-complete|rotation-cancel`: a two-phase rotation, so the IdP
 * never holds a dead token (the new token works beside the old until the rotation ends).
 */
export function registerTokenRotationCommands(tokens: Command, cli: CliContext): void {
  tokens
    .command('rotate <slug> <id>')
    .description('issue a token to replace <id>; both work until the rotation is completed or cancelled')
    .option('--expires-at <date-time>', 'ISO 8601 expiry of the new token, e.g. 2027-01-31T00:00:00Z')
    .action(async (slug: string, id: string, options: { expiresAt?: string }) => {
      const rotated = await cli.client().request<RotatedToken>('POST', rotationPath(slug, id), {
        expiresAt: options.expiresAt,
      });
      cli.print(rotated, () =>
        [
          `SCIM token ${rotated.id} replaces ${rotated.replaces} in tenant ${slug}; both work until the rotation ends.`,
          'Copy it now: it is not shown again. Once the IdP uses it, run `tokens rotation-complete`.',
          '',
          `    ${rotated.token}`,
        ].join('\n'),
      );
    });

  tokens
    .command('rotation-complete <slug> <id>')
    .description('end the rotation of token <id>: <id> is revoked, its replacement stays')
    .action(async (slug: string, id: string) => {
      const ended = await cli.client().request<EndedRotation>('POST', rotationPath(slug, id, '/complete'));
      cli.print(ended, () => `revoked SCIM token ${ended.revoked.id}; ${ended.active.id} stays active`);
    });

  tokens
    .command('rotation-cancel <slug> <id>')
    .description('abandon the rotation of token <id>: its replacement is revoked, <id> stays')
    .action(async (slug: string, id: string) => {
      const ended = await cli.client().request<EndedRotation>('POST', rotationPath(slug, id, '/cancel'));
      cli.print(ended, () => `revoked SCIM token ${ended.revoked.id}; ${ended.active.id} stays active`);
    });
}
