import { z } from 'zod';
import { decodeFeedCursor } from '../events-feed/feed-cursor';
import { isEventPattern } from './event-pattern';

/** `POST /admin/v1/subscriptions/{id}/replay`: from a feed cursor (`after`) or a time (`since`), optionally fewer types. */
export const replayInput = z
  .strictObject({
    after: z
      .string()
      .refine((value) => decodeFeedCursor(value) !== undefined, 'must be a cursor of the events feed')
      .optional(),
    since: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
    types: z
      .array(z.string().refine(isEventPattern, 'must be an event type or family (user.*, group.*, *)'))
      .min(1, 'must name at least one event type')
      .max(50)
      .optional(),
  })
  .refine((input) => (input.after === undefined) !== (input.since === undefined), {
    message: 'give exactly one of after (an events feed cursor) or since (a date-time)',
  });

export type ReplayInput = z.infer<typeof replayInput>;
