import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Api, ApiError, seg } from '../api';
import { toApiError } from '../hooks';
import { linkHandler, usePath } from '../router';
import { GroupRoleRule, Domain, OidcConnection, PortalSession, Provisioning, Tenant, TestSignIn } from '../types';
import { Expired } from '../ui/expired';
import { ErrorNote, Loading } from '../ui/ui';
import { ActivityStep } from './activity-step';
import { Step, StepFacts, StepState, checklistSteps, progress } from './checklist';
import { DomainsStep } from './domains-step';
import { GuideStep } from './guide-step';
import { Overview } from './overview';
import { PortalContext, PortalContextValue, testSignInKey } from './portal-context';
import { ProvisioningStep } from './provisioning-step';
import { RolesStep } from './roles-step';
import { SignInStep } from './sign-in-step';

const api = new Api();

/** The setup portal: a customer's IT administrator, arriving from a setup link (or signed in as a tenant admin). */
export function PortalApp() {
  const [session, setSession] = useState<PortalSession>();
  const [tenant, setTenant] = useState<Tenant>();
  const [expired, setExpired] = useState(false);
  const [error, setError] = useState<ApiError>();

  useEffect(() => api.onExpired(() => setExpired(true)), []);
  useEffect(() => {
    void (async () => {
      try {
        const current = await api.get<PortalSession>('/portal/api/session');
        api.setCsrfToken(current.csrfToken);
        setTenant(await api.get<Tenant>(`/admin/v1/tenants/${seg(current.tenant.slug)}`));
        setSession(current);
      } catch (caught) {
        const failure = toApiError(caught);
        if (failure.status !== 401) setError(failure);
      }
    })();
  }, []);

  if (expired) return <PortalExpired />;
  if (error)
    return (
      <main className="center-screen" id="main">
        <div className="card narrow">
          <h1>The setup portal could not load</h1>
          <ErrorNote error={error} />
        </div>
      </main>
    );
  if (!session || !tenant)
    return (
      <main className="center-screen" id="main">
        <Loading label="Opening your setup portal…" />
      </main>
    );
  return <Portal session={session} tenant={tenant} />;
}

function PortalExpired() {
  return (
    <Expired title="Your setup link has expired">
      <p>
        For your security, a setup link works once and a portal session ends after 30 minutes without activity (8 hours
        at most).
      </p>
      <p>
        <strong>Ask your contact at the vendor for a new setup link.</strong> If you are an administrator of your
        organisation in this service, sign in again through your company's sign-in page and open the portal from there.
      </p>
    </Expired>
  );
}

function Portal({ session, tenant }: { session: PortalSession; tenant: Tenant }) {
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
    const lastTest = window.sessionStorage.getItem(testSignInKey(tenant.slug));
    if (has('oidc') && lastTest)
      void load<TestSignIn>('oidc', `/oidc/test-sign-ins/${seg(lastTest)}`, (body) => ({
        testSignInSucceeded: body.status === 'succeeded',
      }));
  }, [base, learn, session.scopes, tenant.slug]);

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
          <SessionBadge session={session} />
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
