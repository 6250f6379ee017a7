/**
 * The core Group schema, RFC 7643 §4.2, with the characteristics of its
 * schema representation in §8.7.1.
 */
import { attribute, complexAttribute } from './schema.builders';
import type { SchemaDefinition } from './schema.types';

/** RFC 7643 §8.7.1: the core Group schema URN. */
export const SCIM_GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/**
 * RFC 7643 §4.2: sub-attributes of `members` are immutable (members are added
 * and removed, never edited). `display` is not in §8.7.1 but appears in the
 * RFC's examples and Okta sends it. Members are users only: nested groups are
 * refused, so `$ref` and `type` name `User` alone (RFC 7643 §8.7.1 lists
 * `Group` too, for servers that nest).
 */
const membersAttribute = complexAttribute(
  'members',
  'A list of members of the Group.',
  [
    attribute('value', 'string', 'Identifier of the member of this Group.', { mutability: 'immutable' }),
    attribute('$ref', 'reference', 'The URI of the User that is a member of this Group.', {
      referenceTypes: ['User'],
      mutability: 'immutable',
    }),
    attribute('display', 'string', 'A human-readable name for the member, primarily used for display purposes.', {
      mutability: 'immutable',
    }),
    attribute('type', 'string', "The type of the member: 'User' (groups cannot be members).", {
      canonicalValues: ['User'],
      mutability: 'immutable',
    }),
  ],
  { multiValued: true },
);

/** RFC 7643 §4.2 / §8.7.1: the core Group schema. */
export const GROUP_SCHEMA: SchemaDefinition = {
  id: SCIM_GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    // RFC 7643 §4.2 says REQUIRED; the §8.7.1 representation says false. We
    // enforce it, so we publish `required: true` to describe what we do.
    attribute('displayName', 'string', 'A human-readable name for the Group. REQUIRED.', { required: true }),
    membersAttribute,
  ],
};
