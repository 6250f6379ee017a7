import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Api, ApiError, seg } from '../api';
import { toApiError, useAction } from '../hooks';
import { linkHandler, usePath } from '../router';
import {
  Domain,
  GroupRoleRule,
  LatestTestSignIn,
  OidcConnection,
  PortalSession,
  PortalSignedInAs,
  Provisioning,
  Tenant,
} from '../types';
import { Button, ErrorNote, Loading } from '../ui/ui';
import { ActivityStep } from './activity-step';
import { Step, StepFacts, StepState, checklistSteps, progress } from './checklist';
import { DomainsStep } from './domains-step';
import { GuideStep } from './guide-step';
import { Overview } from './overview';
import { PortalContext, PortalContextValue } from './portal-context';
import { NotTenantAdmin, PortalEntry } from './portal-entry';
import { ProvisioningStep } from './provisioning-step';
import { RolesStep } from './roles-step';
import { SignInStep } from './sign-in-step';

const api = new Api();

/** What the portal shows: the portal itself, or why it does not open and what to do. */
type PortalState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'open'; readonly session: PortalSession; readonly tenant: Tenant }
  | { readonly kind: 'entry'; readonly ended: boolean; readonly left: boolean; readonly signInUrl: string | undefined }
  | { readonly kind: 'not-admin'; readonly signedIn: PortalSignedInAs }
  | { readonly kind: 'error'; readonly error: ApiError };

/** The 401 and 403 bodies of `GET /portal/api/session`. */
interface SessionRefusal {
  ended?: boolean;
  signIn?: { url: string };
  signedIn?: PortalSignedInAs;
}

/** The setup portal: a customer's IT administrator, arriving from a setup link (or signed in as a tenant admin). */
export function PortalApp() {
  const [state, setState] = useState<PortalState>({ kind: 'loading' });
  const open = useRef(false);

  const load = useCallback(async (ending: boolean, left = false) => {
    try {
      const current = await api.get<PortalSession>('/portal/api/session');
      api.setCsrfToken(current.csrfToken);
      const tenant = await api.get<Tenant>(`/admin/v1/tenants/${seg(current.tenant.slug)}`);
      open.current = true;
      setState({ kind: 'open', session: current, tenant });
    } catch (caught) {
      const failure = toApiError(caught);
      const refusal = (failure.body ?? {}) as SessionRefusal;
      open.current = false;
      api.setCsrfToken(null);
      if (failure.status === 401) {
        const ended = !left && (ending || refusal.ended === true);
        setState({ kind: 'entry', ended, left, signInUrl: refusal.signIn?.url });
      } else if (failure.status === 403 && refusal.signedIn) {
        setState({ kind: 'not-admin', signedIn: refusal.signedIn });
      } else {
        setState({ kind: 'error', error: failure });
      }
    }
  }, []);

  useEffect(() => {
    void load(false);
    // A 401 while the portal is open: the session ended. Ask again, to say so and how to come back.
    return api.onExpired(() => {
      if (!open.current) return;
      open.current = false;
      void load(true);
    });
  }, [load]);

  switch (state.kind) {
    case 'loading':
      return (
        <main className="center-screen" id="main">
          <Loading label="Opening your setup portal…" />
        </main>
      );
    case 'error':
      return (
        <main className="center-screen" id="main">
          <div className="card narrow">
            <h1>The setup portal could not load</h1>
            <ErrorNote error={state.error} />
          </div>
        </main>
      );
    case 'entry':
      return <PortalEntry ended={state.ended} left={state.left} signInUrl={state.signInUrl} />;
    case 'not-admin':
      return <NotTenantAdmin signedIn={state.signedIn} />;
    case 'open':
      return (
        <Portal
          session={state.session}
          tenant={state.tenant}
          onLeft={() => {
            open.current = false;
            void load(false, true);
          }}
        />
      );
  }
}

function Portal({ session, tenant, onLeft }: { session: PortalSession; tenant: Tenant; onLeft: () => void }) {
  const [path, navigate] = usePath();
  const [facts, setFacts] = useState<StepFacts>({});
  const base = `/admin/v1/tenants/${seg(tenant.slug)}`;
  const learn = useCallback((more: StepFacts) => setFacts((current) => ({ ...current, ...more })), []);

  // Each step's state, proven by its API; a scope the session lacks is neither shown nor asked.
  useEffect(() => {
    const has = (scope: string) => session.scopes.includes(scope as never);
    const load = async <T,>(scope: string, path: string, toFacts: (body: T) => StepFacts, onMissing?: StepFacts) => {
      if (!has(scope)) return;
      try {
        learn(toFacts(await api.get<T>(`${base}${path}`)));
      } catch (caught) {
        if (onMissing && toApiError(caught).status === 404) learn(onMissing);
      }
    };
    void load<{ data: Domain[] }>('domains', '/domains', (body) => ({
      verifiedDomains: body.data.filter((d) => d.status !== 'pending').length,
    }));
    void load<OidcConnection>('oidc', '/oidc', () => ({ oidcConfigured: true }), { oidcConfigured: false });
    void load<Provisioning>('scim', '/provisioning', (body) => ({
      scimConnected: body.connected,
      usersPushed: body.users.count,
    }));
    void load<{ rules: GroupRoleRule[] }>('roles', '/group-roles', (body) => ({ rulesSaved: body.rules.length }));
    // Whichever browser ran it: the gateway keeps the latest test, and whether it tested the connection as saved now.
    void load<LatestTestSignIn>(
      'oidc',
      '/oidc/test-sign-ins/latest',
      (body) => ({ testSignInSucceeded: body.status === 'succeeded' && body.current }),
      { testSignInSucceeded: false },
    );
  }, [base, learn, session.scopes]);

  const steps = checklistSteps(session.scopes, facts);
  const context: PortalContextValue = useMemo(
    () => ({ api, session, tenant, base, facts, learn, navigate }),
    [session, tenant, base, facts, learn, navigate],
  );
  const current = steps.find((step) => path.startsWith(step.path));
  const onGuide = path.startsWith('/portal/guide');

  return (
    <PortalContext.Provider value={context}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <a className="brand" href="/portal" onClick={linkHandler(navigate, '/portal')}>
            <span className="brand-mark" aria-hidden="true" />
            <span>
              <span className="brand-name">{tenant.name}</span>
              <span className="brand-sub">Single sign-on and provisioning setup</span>
            </span>
          </a>
          <div className="portal-session">
            <SessionBadge session={session} />
            <LeaveButton session={session} onLeft={onLeft} />
          </div>
        </div>
      </header>
      <div className={`layout${current || onGuide ? ' on-step' : ''}`}>
        <nav className="sidebar" aria-label="Setup steps">
          <Checklist steps={steps} path={path} navigate={navigate} />
          <a
            className={`side-link${onGuide ? ' active' : ''}`}
            href="/portal/guide"
            aria-current={onGuide ? 'page' : undefined}
            onClick={linkHandler(navigate, '/portal/guide')}
          >
            <span className="step-icon step-info" aria-hidden="true">
              ☰
            </span>
            Setup guide
          </a>
        </nav>
        <main className="content" id="main">
          {onGuide ? <GuideStep /> : current ? <StepPage step={current} /> : <Overview steps={steps} />}
        </main>
      </div>
    </PortalContext.Provider>
  );
}

function StepPage({ step }: { step: Step }) {
  switch (step.scope) {
    case 'domains':
      return <DomainsStep />;
    case 'oidc':
      return <SignInStep />;
    case 'scim':
      return <ProvisioningStep />;
    case 'roles':
      return <RolesStep />;
    case 'logs':
      return <ActivityStep />;
  }
}

/** Leaves the portal: a setup link's session ends here; a sign-in ends where every sign-in ends. */
function LeaveButton({ session, onLeft }: { session: PortalSession; onLeft: () => void }) {
  const leave = useAction(async () => {
    if (session.via === 'sign-in') {
      window.location.assign('/auth/logout');
      return;
    }
    await api.delete('/portal/api/session');
    api.setCsrfToken(null);
    onLeft();
  });
  return (
    <>
      <Button kind="secondary" onClick={() => void leave.run()} pending={leave.pending} id="leave-portal">
        {session.via === 'sign-in' ? 'Sign out' : 'Leave'}
      </Button>
      {leave.error && (
        <span className="leave-error" role="alert">
          Could not leave: {leave.error.message}
        </span>
      )}
    </>
  );
}

function SessionBadge({ session }: { session: PortalSession }) {
  const ends = new Date(session.expiresAt);
  return (
    <p className="session-badge">
      {session.via === 'setup-link' ? 'Setup link' : 'Signed in'} · session ends{' '}
      <time dateTime={session.expiresAt}>{ends.toLocaleTimeString(undefined, { timeStyle: 'short' })}</time>
    </p>
  );
}

export function Checklist({ steps, path, navigate }: { steps: Step[]; path: string; navigate: (to: string) => void }) {
  const { done, total } = progress(steps);
  const list = useRef<HTMLOListElement>(null);
  // On a phone the list is one row that scrolls sideways: bring the current step into it.
  useEffect(() => {
    const active = list.current?.querySelector<HTMLElement>('[aria-current="page"]');
    if (list.current && active && list.current.scrollWidth > list.current.clientWidth)
      list.current.scrollLeft = active.offsetLeft - list.current.offsetLeft - 8;
  }, [path]);
  return (
    <div className="checklist">
      <p className="checklist-progress" id="checklist-progress">
        {done} of {total} steps done
      </p>
      <progress className="progress" aria-labelledby="checklist-progress" value={done} max={Math.max(total, 1)} />
      <ol ref={list}>
        {steps.map((step) => {
          const active = path.startsWith(step.path);
          return (
            <li key={step.scope}>
              <a
                href={step.path}
                className={`step-link${active ? ' active' : ''}`}
                aria-current={active ? 'page' : undefined}
                data-step={step.scope}
                data-state={step.state}
                onClick={linkHandler(navigate, step.path)}
              >
                <StepIcon state={step.state} />
                <span className="step-text">
                  <span className="step-title">{step.title}</span>
                  <span className="step-status">{step.status}</span>
                </span>
              </a>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

export function StepIcon({ state }: { state: StepState }) {
  const label: Record<StepState, string> = {
    done: 'Done',
    todo: 'To do',
    progress: 'In progress',
    unknown: 'Checking',
    info: 'Information',
  };
  const glyph: Record<StepState, string> = { done: '✓', todo: '', progress: '•', unknown: '…', info: 'i' };
  return (
    <span className={`step-icon step-${state}`} role="img" aria-label={label[state]}>
      {glyph[state]}
    </span>
  );
}
