export { applyPatch, type PatchOptions, type PatchResult } from './patch.engine';
export type { MultiValuedChange } from './multi-valued-change';
export {
  DEFAULT_MAX_PATCH_OPERATIONS,
  SCIM_PATCH_OP_SCHEMA,
  parsePatchRequest,
  type PatchOpName,
  type PatchOperation,
} from './patch-request';
