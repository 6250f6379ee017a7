/**
 * The Node.js flags the SCIM app runs with wherever it runs alone: the launcher's separate
 * processes, `npm run start:scim`, docker/compose.yaml (both spell them out: node-args.spec.ts
 * holds them to this list) and the SCIM benchmarks.
 *
 * 64 MiB semi-spaces for the young generation (V8's default is 16): an IdP's lookups allocate
 * ~45 KiB each, and every minor GC copies what the requests in flight hold, so fewer of them
 * serve more lookups per core (7–9 % in the yardstick, docs/PERFORMANCE.md). The space grows only
 * under such load; an idle app keeps a small one. `npm start` runs every app in one process with
 * 1 MiB semi-spaces instead, for memory (apps/launcher/src/main.ts).
 */
export const SCIM_NODE_ARGS: readonly string[] = ['--max-semi-space-size=64'];
