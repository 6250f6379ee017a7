/**
 * The Enterprise User extension, RFC 7643 §4.3, with the characteristics of
 * its schema representation in §8.7.1.
 */
import { attribute, complexAttribute } from './schema.builders';
import type { SchemaDefinition } from './schema.types';

/** RFC 7643 §4.3: the Enterprise User extension URN. */
export const SCIM_ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** RFC 7643 §4.3 / §8.7.1: the Enterprise User extension schema. */
export const ENTERPRISE_USER_SCHEMA: SchemaDefinition = {
  id: SCIM_ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attribute(
      'employeeNumber',
      'string',
      'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.',
    ),
    attribute('costCenter', 'string', 'Identifies the name of a cost center.'),
    attribute('organization', 'string', 'Identifies the name of an organization.'),
    attribute('division', 'string', 'Identifies the name of a division.'),
    attribute('department', 'string', 'Identifies the name of a department.'),
    complexAttribute(
      'manager',
      "The User's manager. A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.",
      [
        attribute('value', 'string', "The id of the SCIM resource representing the User's manager."),
        attribute('$ref', 'reference', "The URI of the SCIM resource representing the User's manager.", {
          referenceTypes: ['User'],
        }),
        // RFC 7643 §8.7.1: the manager's displayName is readOnly (the server fills it in).
        attribute('displayName', 'string', "The displayName of the User's manager.", {
          mutability: 'readOnly',
        }),
      ],
    ),
  ],
};
