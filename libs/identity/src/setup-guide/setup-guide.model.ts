import type { DomainView } from '../domains/domain-claim';
import type { TenantSetup } from '../tenants/tenant.view';

/** The identity providers the guide has instructions for. */
export const GUIDE_IDPS = ['okta', 'entra'] as const;
export type GuideIdp = (typeof GUIDE_IDPS)[number];

/** A piece of running text: plain, a value to copy exactly, or a name on the IdP's screen. */
export type Inline = string | { readonly code: string } | { readonly ui: string };
export type Text = readonly Inline[];

/** One block of a section; each renders to Markdown and to HTML alike. */
export type GuideBlock =
  | { readonly kind: 'paragraph'; readonly text: Text }
  | { readonly kind: 'steps'; readonly items: readonly Text[] }
  | {
      readonly kind: 'table';
      readonly head: readonly [string, string];
      readonly rows: readonly (readonly [Text, Text])[];
    };

export interface GuideSection {
  readonly title: string;
  readonly blocks: readonly GuideBlock[];
}

/** A tenant's setup guide for one IdP, independent of its format. */
export interface SetupGuide {
  readonly title: string;
  readonly intro: Text;
  readonly sections: readonly GuideSection[];
}

/** What the guide is built from: the tenant's own values, never anything from the request. */
export interface SetupGuideInput {
  readonly idp: GuideIdp;
  readonly tenant: { readonly slug: string; readonly name: string };
  readonly setup: TenantSetup;
  readonly domains: readonly DomainView[];
}

/** A value to copy exactly. */
export const code = (value: string): Inline => ({ code: value });
/** A name on the IdP's screen. */
export const ui = (name: string): Inline => ({ ui: name });
export const paragraph = (...text: Inline[]): GuideBlock => ({ kind: 'paragraph', text });
export const steps = (...items: Text[]): GuideBlock => ({ kind: 'steps', items });

/** The tenant's setup values under the labels this IdP gives them. */
export function valuesTable(setup: TenantSetup, labels: Record<keyof TenantSetup, string | undefined>): GuideBlock {
  const rows = (Object.keys(labels) as (keyof TenantSetup)[])
    .filter((key) => labels[key] !== undefined)
    .map((key): readonly [Text, Text] => [[labels[key]!], [code(setup[key])]]);
  return { kind: 'table', head: ['Field', 'Value'], rows };
}

/** Attribute mappings, each side a value to copy. */
export function mappingTable(
  head: readonly [string, string],
  rows: readonly (readonly [string, string])[],
): GuideBlock {
  return { kind: 'table', head, rows: rows.map(([a, b]): readonly [Text, Text] => [[code(a)], [code(b)]]) };
}
