// A product's copy of one tenant's users, kept up to date through the gateway's
// products API: the directory first, then every change. Run it with
//   GATEWAY_URL=https://login.example.com CLIENT_ID=… CLIENT_SECRET=… TENANT=acme \
//   STATE_FILE=./acme-users.json node dist/libs/events/examples/user-mirror.js
// Stop it (Ctrl-C) and start it again: it goes on from the cursor it saved.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DirectoryChange, DirectoryFollower, DirectoryUser } from '@app/events';

/**
 * What the mirror keeps: the users by id, each with the `sequence` of its latest
 * change applied; for each user deleted, the sequence of its deletion (so an older
 * event of it handed over again after a restart is not applied); and where in the
 * events feed it is.
 */
export interface MirrorState {
  cursor: string | null;
  users: Record<string, Pick<DirectoryUser, 'id' | 'userName' | 'email' | 'active' | 'sequence'>>;
  deleted: Record<string, number>;
}

export interface UserMirrorOptions {
  readonly gatewayUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tenant: string;
  readonly stateFile: string;
  readonly fetch?: typeof fetch;
  readonly log?: (line: string) => void;
}

/** Starts mirroring; `stop()` ends it after the change in hand, with the state saved. */
export function startUserMirror(options: UserMirrorOptions) {
  const state = load(options.stateFile);
  const log = options.log ?? ((line: string) => console.log(line));
  const follower = new DirectoryFollower({
    gatewayUrl: options.gatewayUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    tenant: options.tenant,
    cursor: state.cursor,
    types: ['user.*'],
    // After a restart, what the state holds is what tells a stale event apart.
    knownSequence: ({ id }) => state.users[id]?.sequence ?? state.deleted[id],
    fetch: options.fetch,
    onError: (error) => log(`retrying: ${error.message}`),
    handle: (change: DirectoryChange, cursor: string | null) => {
      apply(state, change);
      // Save what was applied together with the cursor that follows it, atomically.
      if (cursor !== null) save(options.stateFile, { ...state, cursor });
      if (change.kind === 'backfilled') log(`loaded ${Object.keys(state.users).length} users`);
      if (change.kind === 'event') log(`${change.event.type} ${change.event.subject.id} #${change.event.sequence}`);
      return Promise.resolve();
    },
  });
  return { state, done: follower.run(), stop: () => follower.stop() };
}

function apply(state: MirrorState, change: DirectoryChange): void {
  switch (change.kind) {
    case 'resync':
      state.users = {};
      state.deleted = {};
      return;
    case 'user':
      state.users[change.user.id] = pick(change.user);
      return;
    case 'event': {
      const { event } = change;
      if (event.type === 'user.deleted') {
        delete state.users[event.subject.id];
        state.deleted[event.subject.id] = event.sequence;
      } else if (event.type !== 'user.signed_in' && event.type !== 'user.signed_out') {
        // Every other user event carries the user after the change (roles_changed carries the access lists).
        const data = event.data as Partial<{
          userName: string;
          emails: { value: string; primary?: boolean }[];
          active: boolean;
        }>;
        const known = state.users[event.subject.id];
        state.users[event.subject.id] = {
          id: event.subject.id,
          userName: data.userName ?? known?.userName ?? '',
          email: data.emails?.find((email) => email.primary)?.value ?? data.emails?.[0]?.value ?? known?.email ?? null,
          active: typeof data.active === 'boolean' ? data.active : (known?.active ?? true),
          sequence: event.sequence,
        };
      }
      return;
    }
    default:
      return; // groups, members, backfilled, checkpoint: nothing to keep for a users-only mirror
  }
}

function pick(user: DirectoryUser): MirrorState['users'][string] {
  return { id: user.id, userName: user.userName, email: user.email, active: user.active, sequence: user.sequence };
}

function load(file: string): MirrorState {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as MirrorState;
  } catch {
    return { cursor: null, users: {}, deleted: {} };
  }
}

function save(file: string, state: MirrorState): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
}

if (require.main === module) {
  const missing = ['GATEWAY_URL', 'CLIENT_ID', 'CLIENT_SECRET', 'TENANT'].filter((name) => !process.env[name]);
  if (missing.length > 0) {
    console.error(`set ${missing.join(', ')} (see the comment at the top of this file)`);
    process.exit(64);
  }
  const mirror = startUserMirror({
    gatewayUrl: process.env.GATEWAY_URL!,
    clientId: process.env.CLIENT_ID!,
    clientSecret: process.env.CLIENT_SECRET!,
    tenant: process.env.TENANT!,
    stateFile: process.env.STATE_FILE ?? `./${process.env.TENANT}-users.json`,
  });
  process.once('SIGINT', mirror.stop);
  process.once('SIGTERM', mirror.stop);
  mirror.done.catch((error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  });
}
