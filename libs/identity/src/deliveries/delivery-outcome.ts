/** What a webhook receiver's answer means for the delivery. */
export type ResponseVerdict =
  /** 2xx: done. */
  | 'delivered'
  /** 410 Gone: the receiver says the endpoint is gone for good; the subscription is disabled. */
  | 'gone'
  /** Other 4xx but 408 and 429: retrying the same request cannot succeed. */
  | 'rejected'
  /** 5xx, 408, 429, 3xx, or no answer: retried on the backoff schedule. */
  | 'retry';

/** Standard Webhooks' guidance on status codes, as the gateway applies it. */
export function verdictOf(status: number | undefined): ResponseVerdict {
  if (status === undefined) return 'retry';
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  if (status === 408 || status === 429) return 'retry';
  if (status >= 400 && status < 500) return 'rejected';
  return 'retry';
}
