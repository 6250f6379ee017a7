import { PortalScopeName } from '../types';

export type StepState = 'done' | 'todo' | 'progress' | 'unknown' | 'info';

export interface StepFacts {
  verifiedDomains?: number;
  oidcConfigured?: boolean;
  testSignInSucceeded?: boolean;
  scimConnected?: boolean;
  usersPushed?: number;
  rulesSaved?: number;
}

export interface Step {
  readonly scope: PortalScopeName;
  readonly path: string;
  readonly title: string;
  readonly state: StepState;
  /** One line on what is proven, or what is missing. */
  readonly status: string;
}

/**
 * The checklist's steps for the scopes a session holds, each state proven by
 * what the APIs report (nothing is ticked by hand). Pure: the facts come in.
 */
export function checklistSteps(scopes: readonly PortalScopeName[], facts: StepFacts): Step[] {
  const all: Record<PortalScopeName, Step> = {
    domains: {
      scope: 'domains',
      path: '/portal/domains',
      title: 'Verify your domains',
      ...domainState(facts.verifiedDomains),
    },
    oidc: { scope: 'oidc', path: '/portal/sign-in', title: 'Connect single sign-on', ...oidcState(facts) },
    scim: { scope: 'scim', path: '/portal/provisioning', title: 'Connect provisioning (SCIM)', ...scimState(facts) },
    roles: { scope: 'roles', path: '/portal/roles', title: 'Map groups to roles', ...rolesState(facts.rulesSaved) },
    logs: {
      scope: 'logs',
      path: '/portal/activity',
      title: 'Check activity',
      state: 'info',
      status: 'Requests from your IdP and refused sign-ins',
    },
  };
  const order: PortalScopeName[] = ['domains', 'oidc', 'scim', 'roles', 'logs'];
  return order.filter((scope) => scopes.includes(scope)).map((scope) => all[scope]);
}

function domainState(verified: number | undefined): Pick<Step, 'state' | 'status'> {
  if (verified === undefined) return { state: 'unknown', status: 'Checking…' };
  if (verified > 0) return { state: 'done', status: `${verified} domain${verified === 1 ? '' : 's'} verified` };
  return { state: 'todo', status: 'No verified domain yet' };
}

function oidcState(facts: StepFacts): Pick<Step, 'state' | 'status'> {
  if (facts.oidcConfigured === undefined) return { state: 'unknown', status: 'Checking…' };
  if (!facts.oidcConfigured) return { state: 'todo', status: 'Not connected yet' };
  if (facts.testSignInSucceeded) return { state: 'done', status: 'Connected, test sign-in succeeded' };
  return { state: 'progress', status: 'Connected: run a test sign-in' };
}

function scimState(facts: StepFacts): Pick<Step, 'state' | 'status'> {
  if (facts.scimConnected === undefined) return { state: 'unknown', status: 'Checking…' };
  if (!facts.scimConnected) return { state: 'todo', status: 'Waiting for your IdP' };
  const users = facts.usersPushed ?? 0;
  return { state: 'done', status: `Connected, ${users} user${users === 1 ? '' : 's'} pushed` };
}

function rolesState(rules: number | undefined): Pick<Step, 'state' | 'status'> {
  if (rules === undefined) return { state: 'unknown', status: 'Checking…' };
  if (rules > 0) return { state: 'done', status: `${rules} rule${rules === 1 ? '' : 's'} saved` };
  return { state: 'todo', status: 'No rules saved yet' };
}

/** How many of the steps that can be done are done. */
export function progress(steps: readonly Step[]): { done: number; total: number } {
  const countable = steps.filter((step) => step.state !== 'info');
  return { done: countable.filter((step) => step.state === 'done').length, total: countable.length };
}
