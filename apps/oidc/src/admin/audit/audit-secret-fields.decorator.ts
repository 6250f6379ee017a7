import { CustomDecorator, SetMetadata } from '@nestjs/common';

/** Metadata key: top-level fields of a route's answer that hold a secret under a name redaction does not know. */
export const AUDIT_SECRET_FIELDS = 'auditSecretFields';

/**
 * Keeps these fields of the answer out of the audit entry's `after` (a setup link's
 * `url` carries its secret; `url` elsewhere, a webhook's, is worth keeping).
 */
export const AuditSecretFields = (...fields: string[]): CustomDecorator => SetMetadata(AUDIT_SECRET_FIELDS, fields);
