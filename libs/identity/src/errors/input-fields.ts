import { z } from 'zod';

/** Whether a string is an absolute http:// or https:// URL with a host. */
export function isHttpUrl(value: string): boolean {
  try {
    const parsed = new URL(value);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
  } catch {
    return false;
  }
}

/** `limit` of the admin API's paged listings: 1 to 200, 50 unless asked. */
export const pageLimit = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 200')
  .max(200, 'must be between 1 and 200')
  .default(50);
