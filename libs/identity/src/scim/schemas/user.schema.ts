/**
 * The core User schema, RFC 7643 §4.1, with the characteristics of its
 * schema representation in §8.7.1.
 */
import { attribute, complexAttribute, multiValuedSubAttributes } from './schema.builders';
import type { SchemaDefinition } from './schema.types';

/** RFC 7643 §8.7.1: the core User schema URN. */
export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

const nameAttribute = complexAttribute('name', "The components of the user's real name.", [
  attribute(
    'formatted',
    'string',
    "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III').",
  ),
  attribute(
    'familyName',
    'string',
    "The family name of the User, or last name in most Western languages (e.g., 'Jensen' given the full name 'Ms. Barbara J Jensen, III').",
  ),
  attribute(
    'givenName',
    'string',
    "The given name of the User, or first name in most Western languages (e.g., 'Barbara' given the full name 'Ms. Barbara J Jensen, III').",
  ),
  attribute(
    'middleName',
    'string',
    "The middle name(s) of the User (e.g., 'Jane' given the full name 'Ms. Barbara J Jensen, III').",
  ),
  attribute(
    'honorificPrefix',
    'string',
    "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' given the full name 'Ms. Barbara J Jensen, III').",
  ),
  attribute(
    'honorificSuffix',
    'string',
    "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' given the full name 'Ms. Barbara J Jensen, III').",
  ),
]);

/**
 * RFC 7643 §4.1.2 lists `primary` for addresses although the §8.7.1
 * representation omits it; Entra sends it, so it is defined here.
 */
const addressesAttribute = complexAttribute(
  'addresses',
  'A physical mailing address for this User.',
  [
    attribute(
      'formatted',
      'string',
      'The full mailing address, formatted for display or use with a mailing label. This attribute MAY contain newlines.',
    ),
    attribute(
      'streetAddress',
      'string',
      'The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information. This attribute MAY contain newlines.',
    ),
    attribute('locality', 'string', 'The city or locality component.'),
    attribute('region', 'string', 'The state or region component.'),
    attribute('postalCode', 'string', 'The zip code or postal code component.'),
    attribute('country', 'string', 'The country name component.'),
    attribute('type', 'string', "A label indicating the attribute's function, e.g., 'work' or 'home'.", {
      canonicalValues: ['work', 'home', 'other'],
    }),
    attribute(
      'primary',
      'boolean',
      "A Boolean value indicating the 'primary' or preferred attribute value for this attribute. The primary attribute value 'true' MUST appear no more than once.",
    ),
  ],
  { multiValued: true },
);

/**
 * RFC 7643 §4.1.2: `groups` is maintained by the service provider through
 * Group resources. Groups do not nest here, so every membership is direct and
 * `$ref` points at a Group only.
 */
const groupsAttribute = complexAttribute(
  'groups',
  'A list of groups to which the user belongs, by direct membership (groups do not nest).',
  [
    attribute('value', 'string', "The identifier of the User's group.", { mutability: 'readOnly' }),
    attribute('$ref', 'reference', "The URI of the corresponding 'Group' resource to which the user belongs.", {
      referenceTypes: ['Group'],
      mutability: 'readOnly',
    }),
    attribute('display', 'string', 'A human-readable name, primarily used for display purposes.', {
      mutability: 'readOnly',
    }),
    attribute('type', 'string', "How the user belongs to the group: always 'direct'.", {
      canonicalValues: ['direct'],
      mutability: 'readOnly',
    }),
  ],
  { multiValued: true, mutability: 'readOnly' },
);

const multiValued = { multiValued: true } as const;

/** RFC 7643 §4.1 / §8.7.1: the core User schema. */
export const USER_SCHEMA: SchemaDefinition = {
  id: SCIM_USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    attribute(
      'userName',
      'string',
      "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value. This identifier MUST be unique across the service provider's entire set of Users.",
      {
        required: true,
        uniqueness: 'server',
      },
    ),
    nameAttribute,
    attribute(
      'displayName',
      'string',
      'The name of the User, suitable for display to end-users. The name SHOULD be the full name of the User being described, if known.',
    ),
    attribute(
      'nickName',
      'string',
      "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'.",
    ),
    attribute(
      'profileUrl',
      'reference',
      "A fully qualified URL pointing to a page representing the User's online profile.",
      {
        referenceTypes: ['external'],
      },
    ),
    attribute('title', 'string', "The user's title, such as 'Vice President'."),
    attribute(
      'userType',
      'string',
      "Used to identify the relationship between the organization and the user. Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used.",
    ),
    attribute(
      'preferredLanguage',
      'string',
      "Indicates the User's preferred written or spoken language. Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US.",
    ),
    attribute(
      'locale',
      'string',
      "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations.",
    ),
    attribute(
      'timezone',
      'string',
      "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'.",
    ),
    attribute('active', 'boolean', "A Boolean value indicating the User's administrative status."),
    // RFC 7643 §4.1.1: the cleartext password is never returned in any form.
    attribute(
      'password',
      'string',
      "The User's cleartext password. This attribute is intended to be used as a means to specify an initial password when creating a new User or to reset an existing User's password.",
      {
        mutability: 'writeOnly',
        returned: 'never',
      },
    ),
    complexAttribute(
      'emails',
      "Email addresses for the user. The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.",
      multiValuedSubAttributes({
        valueDescription:
          "Email addresses for the user. The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.",
        typeCanonicalValues: ['work', 'home', 'other'],
      }),
      multiValued,
    ),
    complexAttribute(
      'phoneNumbers',
      "Phone numbers for the User. The value SHOULD be canonicalized by the service provider according to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'. Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.",
      multiValuedSubAttributes({
        valueDescription: 'Phone number of the User.',
        typeCanonicalValues: ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
      }),
      multiValued,
    ),
    complexAttribute(
      'ims',
      'Instant messaging addresses for the User.',
      multiValuedSubAttributes({
        valueDescription: 'Instant messaging address for the User.',
        typeCanonicalValues: ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'],
      }),
      multiValued,
    ),
    complexAttribute(
      'photos',
      'URLs of photos of the User.',
      multiValuedSubAttributes({
        valueType: 'reference',
        referenceTypes: ['external'],
        valueDescription: 'URL of a photo of the User.',
        typeCanonicalValues: ['photo', 'thumbnail'],
      }),
      multiValued,
    ),
    addressesAttribute,
    groupsAttribute,
    complexAttribute(
      'entitlements',
      'A list of entitlements for the User that represent a thing the User has.',
      multiValuedSubAttributes({
        valueDescription: 'The value of an entitlement.',
        typeCanonicalValues: [],
      }),
      multiValued,
    ),
    complexAttribute(
      'roles',
      "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.",
      multiValuedSubAttributes({
        valueDescription: 'The value of a role.',
        typeCanonicalValues: [],
      }),
      multiValued,
    ),
    complexAttribute(
      'x509Certificates',
      'A list of certificates issued to the User.',
      multiValuedSubAttributes({
        valueType: 'binary',
        valueDescription: 'The value of an X.509 certificate.',
        typeCanonicalValues: [],
      }),
      multiValued,
    ),
  ],
};
