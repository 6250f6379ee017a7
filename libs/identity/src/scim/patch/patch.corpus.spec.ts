/**
 * Runs the PATCH corpus in test/corpora/scim-patch: `ok/*.json` give a
 * resource, a PatchOp request and the expected result; `not-ok/*.json` the
 * expected error. Every case also checks that the input resource is untouched.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ScimError } from '../errors';
import type { ScimResource } from '../resource/resource-validator';
import { applyPatch, type PatchOptions } from './patch.engine';

interface CorpusCase {
  readonly description: string;
  readonly resourceType: 'User' | 'Group';
  readonly resource: ScimResource;
  readonly request: unknown;
  readonly options?: PatchOptions;
  readonly expected?: ScimResource;
  readonly expectedDeferredChanges?: unknown[];
  readonly expectedError?: { readonly status: number; readonly scimType?: string };
}

const CORPUS = resolve(__dirname, '../../../../../test/corpora/scim-patch');

function load(folder: 'ok' | 'not-ok'): Array<[string, CorpusCase]> {
  const directory = join(CORPUS, folder);
  return readdirSync(directory)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => [file, JSON.parse(readFileSync(join(directory, file), 'utf8')) as CorpusCase]);
}

describe('PATCH corpus: ok', () => {
  it.each(load('ok'))('%s', (_file, testCase) => {
    const input = structuredClone(testCase.resource);
    const result = applyPatch(input, testCase.request, testCase.resourceType, testCase.options);
    expect(result.resource).toEqual(testCase.expected);
    expect(result.deferredChanges).toEqual(testCase.expectedDeferredChanges ?? []);
    expect(input).toEqual(testCase.resource);
  });
});

describe('PATCH corpus: not-ok', () => {
  it.each(load('not-ok'))('%s', (_file, testCase) => {
    const input = structuredClone(testCase.resource);
    let thrown: unknown;
    try {
      applyPatch(input, testCase.request, testCase.resourceType, testCase.options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ScimError);
    expect(thrown).toMatchObject(testCase.expectedError ?? {});
    expect(input).toEqual(testCase.resource);
  });
});
