import { BadRequestException } from '@nestjs/common';

/**
 * Finds the first string in a parsed request (body, query or path parameters)
 * that PostgreSQL cannot store: one holding U+0000, which `text` and `jsonb`
 * refuse, or one that is not well-formed UTF-16 (a lone surrogate, which JSON's
 * `"\ud800"` escape produces and no UTF-8 column can hold). Object keys count.
 * Walks with an explicit stack, so deeply nested JSON cannot overflow it.
 * Returns where it is (`name.givenName`, `emails[0].value`), or undefined.
 */
export function findUnfitText(value: unknown, root: string): string | undefined {
  const pending: Place[] = [{ value, step: root }];
  while (pending.length > 0) {
    const place = pending.pop()!;
    const current = place.value;
    if (typeof current === 'string') {
      if (!isFitText(current)) return pathOf(place);
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => pending.push({ value: item, step: `[${index}]`, parent: place }));
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, item] of Object.entries(current)) {
        if (!isFitText(key)) return `${pathOf(place)} (an attribute name)`;
        pending.push({ value: item, step: key, parent: place });
      }
    }
  }
  return undefined;
}

/** A value met on the walk; the path is spelled out only for the one that fails. */
interface Place {
  readonly value: unknown;
  readonly step: string;
  readonly parent?: Place;
}

function pathOf(place: Place): string {
  const steps: string[] = [];
  for (let at: Place | undefined = place; at !== undefined; at = at.parent) steps.push(at.step);
  return steps
    .reverse()
    .reduce((path, step) => (step.startsWith('[') || path === '' ? `${path}${step}` : `${path}.${step}`), '');
}

// In a `u` regular expression a surrogate pair is one code point, so this range
// matches only a lone surrogate (what String.prototype.isWellFormed rules out).
const NUL_OR_LONE_SURROGATE = /[\u0000\uD800-\uDFFF]/u;

/** Whether a string is well-formed Unicode without U+0000. */
export function isFitText(text: string): boolean {
  return !NUL_OR_LONE_SURROGATE.test(text);
}

/**
 * A request with a string the gateway will not store: a 400 (`invalidValue` in
 * SCIM, `invalid_request` in the admin API). Its message names the place, never
 * the value.
 */
export class UnfitTextError extends BadRequestException {
  constructor(readonly where: string) {
    super(`${where}: strings must be well-formed Unicode and must not contain U+0000 (NUL)`);
  }
}
