/**
 * The tenants' IdP in tests: the same local OpenID Provider that `npm run dev:idp`
 * serves (apps/dev/src/local-idp.ts), under the names the tests use.
 */
export {
  startLocalIdp as startTestIdp,
  type LocalIdp as TestIdp,
  type LocalIdpAccount as TestIdpAccount,
  type LocalIdpClient as TestIdpClient,
  type LocalIdpError as TestIdpError,
  type LocalIdpOptions as TestIdpOptions,
  type LocalIdpRequest as TestIdpRequest,
} from '../../apps/dev/src/local-idp';
