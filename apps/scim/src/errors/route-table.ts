import { Injectable } from '@nestjs/common';

/**
 * The routes the app registered (fed by Fastify's `onRoute` hook in
 * `createScimApp`), so a request that matches no route can be told apart:
 * an unknown path is a 404, a known path with another method a 405 with
 * `Allow` (RFC 9110 §15.5.6). Fastify itself answers both with 404.
 *
 * Patterns are matched segment by segment: `:name` matches any one segment,
 * a trailing `*` the rest, anything else itself (case-sensitive, as Fastify
 * routes). That covers the routes Nest registers here.
 */
@Injectable()
export class RouteTable {
  private readonly routes: { readonly segments: readonly string[]; readonly methods: Set<string> }[] = [];

  add(methods: string | readonly string[], pattern: string): void {
    const segments = pattern.split('/');
    const existing = this.routes.find((route) => route.segments.join('/') === segments.join('/'));
    const entry = existing ?? { segments, methods: new Set<string>() };
    if (!existing) this.routes.push(entry);
    for (const method of typeof methods === 'string' ? [methods] : methods) entry.methods.add(method.toUpperCase());
  }

  /** Methods registered for a concrete path (query string ignored), sorted; empty when no route matches it. */
  allowedMethods(url: string): string[] {
    const segments = (url.split('?', 1)[0] ?? '').split('/');
    const methods = new Set<string>();
    for (const route of this.routes) {
      if (matches(route.segments, segments)) route.methods.forEach((method) => methods.add(method));
    }
    return [...methods].sort();
  }
}

function matches(pattern: readonly string[], path: readonly string[]): boolean {
  for (const [index, segment] of pattern.entries()) {
    if (segment === '*' && index === pattern.length - 1) return true;
    const actual = path[index];
    if (actual === undefined) return false;
    if (segment.startsWith(':') ? actual === '' : segment !== actual) return false;
  }
  return pattern.length === path.length;
}
