import { z } from 'zod';

/** `POST /admin/v1/tenants/{slug}/domains`: the domain is checked by the service (format 400, consumer 422). */
export const addDomainInput = z.strictObject({
  domain: z
    .string({ error: 'must be a domain name such as example.com' })
    .max(253, 'must be a domain name such as example.com'),
});
export type AddDomainInput = z.output<typeof addDomainInput>;
