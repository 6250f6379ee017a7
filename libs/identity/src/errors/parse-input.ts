import { z } from 'zod';
import { IdentityError } from './identity-error';

/** Parses untrusted input with a zod schema; a mismatch becomes one `invalid_request` naming each field. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
  throw IdentityError.invalid(problems.join('; '));
}
