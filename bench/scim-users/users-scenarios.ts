import type { Scenario } from './load-run';

const USERS = '/scim/v2/Users';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Okta's lookup before it creates or links a user: a different, existing user each time. */
export function filterByUserName(seededUsers: number): Scenario {
  return {
    name: 'GET /Users?filter=userName eq "…"',
    method: 'GET',
    next: () => {
      const n = 1 + Math.floor(Math.random() * seededUsers);
      return { path: `${USERS}?filter=${encodeURIComponent(`userName eq "user${n}@acme.example"`)}` };
    },
  };
}

/** Reads existing users by id, in random order. */
export function getById(ids: readonly string[]): Scenario {
  const next = cycle(ids);
  return { name: 'GET /Users/{id}', method: 'GET', next: () => ({ path: `${USERS}/${next()}` }) };
}

/** Creates users with userNames no other request uses; with `password`, the gateway hashes it (argon2id). */
export function createUser(tag: string, withPassword = false): Scenario {
  let counter = 0;
  return {
    name: withPassword ? 'POST /Users with a password' : 'POST /Users',
    method: 'POST',
    next: () => {
      counter += 1;
      const userName = `${tag}-${counter}@acme.example`;
      const user = {
        schemas: [USER_SCHEMA],
        userName,
        externalId: `00u${tag}${counter}`,
        name: { givenName: 'New', familyName: `User${counter}` },
        displayName: `New User${counter}`,
        emails: [{ value: userName, type: 'work', primary: true }],
        locale: 'en-US',
        active: true,
        ...(withPassword ? { password: `Correct-Horse-${counter}-Battery` } : {}),
      };
      return { path: USERS, body: JSON.stringify(user) };
    },
  };
}

/** Deactivates existing users, each once while `ids` lasts (what Okta sends on unassignment). */
export function deactivate(ids: readonly string[]): Scenario {
  const next = cycle(ids);
  const body = JSON.stringify({ schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', value: { active: false } }] });
  return {
    name: 'PATCH /Users/{id} active=false',
    method: 'PATCH',
    next: () => ({ path: `${USERS}/${next()}`, body }),
  };
}

function cycle<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('nothing to cycle through');
  let index = 0;
  return () => items[index++ % items.length];
}
