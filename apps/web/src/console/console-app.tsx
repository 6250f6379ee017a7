import { FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { Api, ApiError } from '../api';
import { toApiError, useAction } from '../hooks';
import { linkHandler, usePath } from '../router';
import { ConsoleSession, PortalSignedInAs } from '../types';
import { Button, ErrorNote, Field, Loading, Note } from '../ui/ui';
import { ConsoleContext } from './console-context';
import { AuditPage } from './audit-page';
import { QueuesPage } from './queues-page';
import { SubscriptionPage, SubscriptionsPage } from './subscriptions-page';
import { TenantPage } from './tenant-page';
import { TenantsPage } from './tenants-page';

const api = new Api();

/** Where the gateway's own sign-in for operators starts, when the 401 of the session endpoint names it. */
interface SignInOffer {
  url: string;
  label: string;
}

/** A signed-in person the console does not admit, as the session endpoint's 401 names them. */
interface Refusal {
  signedIn: PortalSignedInAs;
  message: string;
}

/** The operator console: the vendor's operators, signed in with the admin token or as operators of their tenant. */
export function ConsoleApp() {
  const [session, setSession] = useState<ConsoleSession | null>();
  const [offer, setOffer] = useState<SignInOffer>();
  const [refusal, setRefusal] = useState<Refusal>();
  const [expired, setExpired] = useState(false);
  const [error, setError] = useState<ApiError>();
  const signedIn = useRef(false);

  const load = async () => {
    try {
      const current = await api.get<ConsoleSession>('/console/api/session');
      api.setCsrfToken(current.csrfToken);
      signedIn.current = true;
      setSession(current);
    } catch (caught) {
      const failure = toApiError(caught);
      if (failure.status !== 401) setError(failure);
      const body = failure.body as { signIn?: SignInOffer; signedIn?: PortalSignedInAs } | undefined;
      setOffer(body?.signIn?.url ? body.signIn : undefined);
      setRefusal(body?.signedIn ? { signedIn: body.signedIn, message: failure.message } : undefined);
      setSession(null);
    }
  };
  useEffect(() => {
    void load();
    // A 401 after signing in means the session ended; the first one only means "not signed in yet".
    return api.onExpired(() => {
      if (signedIn.current) setExpired(true);
      signedIn.current = false;
      setSession(null);
    });
  }, []);

  if (session === undefined)
    return (
      <main className="center-screen" id="main">
        <Loading />
      </main>
    );
  if (session === null)
    return (
      <SignIn
        offer={offer}
        refusal={refusal}
        expired={expired}
        error={error}
        onSignedIn={() => {
          setExpired(false);
          setError(undefined);
          void load();
        }}
      />
    );
  return (
    <Console
      session={session}
      onSignedOut={() => {
        signedIn.current = false;
        setSession(null);
      }}
    />
  );
}

function SignIn({
  offer,
  refusal,
  expired,
  error,
  onSignedIn,
}: {
  offer: SignInOffer | undefined;
  refusal: Refusal | undefined;
  expired: boolean;
  error: ApiError | undefined;
  onSignedIn: () => void;
}) {
  const [token, setToken] = useState('');
  const signIn = useAction(async () => {
    await api.post('/console/api/session', { adminToken: token });
    setToken('');
    onSignedIn();
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void signIn.run();
  };
  return (
    <main className="center-screen" id="main">
      <div className="card narrow">
        <div className="brand brand-center">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Gateway console</span>
        </div>
        <h1 className="center">Sign in</h1>
        {expired && <Note tone="warn">Your console session has ended. Sign in again.</Note>}
        {refusal && <NotAnOperator refusal={refusal} />}
        <ErrorNote error={error} />
        {offer && (
          <>
            <a className="button primary block" href={offer.url} id="operator-sign-in">
              Sign in with {offer.label}
            </a>
            <p className="divider">
              <span>or</span>
            </p>
          </>
        )}
        <form onSubmit={onSubmit} className="stack">
          <Field
            label="Admin token"
            type="password"
            value={token}
            onChange={setToken}
            required
            name="adminToken"
            autoComplete="current-password"
            hint="The ADMIN_TOKEN the gateway was started with. It is exchanged for a session and not kept in the browser."
          />
          <Button type="submit" pending={signIn.pending} disabled={token === ''} id="console-sign-in">
            Sign in
          </Button>
          {signIn.error && (
            <ErrorNote
              error={
                signIn.error.status === 401
                  ? new ApiError(401, 'unauthorized', 'That admin token is not right.')
                  : signIn.error
              }
            />
          )}
        </form>
      </div>
    </main>
  );
}

/** A person signed in through the gateway whom the console does not admit: who, why, and a way out. */
function NotAnOperator({ refusal }: { refusal: Refusal }) {
  return (
    <div className="note note-warn not-operator" role="status" id="not-operator">
      <p>
        <strong>
          You are signed in as {refusal.signedIn.userName} ({refusal.signedIn.tenant.name}), who is not an operator of
          this console.
        </strong>
      </p>
      <p>{refusal.message}</p>
      <p>
        <a href="/auth/logout" id="sign-out-user">
          Sign out {refusal.signedIn.userName}
        </a>
      </p>
    </div>
  );
}

const NAV = [
  { path: '/console', label: 'Tenants', match: (p: string) => p === '/console' || p.startsWith('/console/tenants') },
  {
    path: '/console/subscriptions',
    label: 'Subscriptions',
    match: (p: string) => p.startsWith('/console/subscriptions'),
  },
  { path: '/console/queues', label: 'Queues', match: (p: string) => p.startsWith('/console/queues') },
  { path: '/console/audit', label: 'Audit', match: (p: string) => p.startsWith('/console/audit') },
];

function Console({ session, onSignedOut }: { session: ConsoleSession; onSignedOut: () => void }) {
  const [path, navigate] = usePath();
  const context = useMemo(() => ({ api, session, navigate }), [session, navigate]);
  const signOut = useAction(async () => {
    // Signed in through the gateway: that session ends where every sign-in ends.
    if (session.via === 'sign-in') {
      window.location.assign('/auth/logout');
      return;
    }
    await api.delete('/console/api/session');
    api.setCsrfToken(null);
    onSignedOut();
  });
  const tenant = /^\/console\/tenants\/([^/]+)/.exec(path);
  const subscription = /^\/console\/subscriptions\/([^/]+)/.exec(path);

  return (
    <ConsoleContext.Provider value={context}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar dark">
        <div className="topbar-inner">
          <a className="brand" href="/console" onClick={linkHandler(navigate, '/console')}>
            <span className="brand-mark" aria-hidden="true" />
            <span className="brand-name">Gateway console</span>
          </a>
          <nav aria-label="Console" className="topnav">
            {NAV.map((item) => (
              <a
                key={item.path}
                href={item.path}
                className={item.match(path) ? 'active' : undefined}
                aria-current={item.match(path) ? 'page' : undefined}
                onClick={linkHandler(navigate, item.path)}
              >
                {item.label}
              </a>
            ))}
          </nav>
          <div className="topbar-user">
            <span className="muted-on-dark">{session.label}</span>
            <Button kind="secondary" onClick={() => void signOut.run()} pending={signOut.pending} id="sign-out">
              Sign out
            </Button>
          </div>
        </div>
      </header>
      <main className="content wide" id="main">
        <ErrorNote error={signOut.error} />
        {tenant ? (
          <TenantPage slug={decodeURIComponent(tenant[1])} />
        ) : subscription ? (
          <SubscriptionPage id={decodeURIComponent(subscription[1])} />
        ) : path.startsWith('/console/subscriptions') ? (
          <SubscriptionsPage />
        ) : path.startsWith('/console/queues') ? (
          <QueuesPage />
        ) : path.startsWith('/console/audit') ? (
          <AuditPage />
        ) : (
          <TenantsPage />
        )}
      </main>
    </ConsoleContext.Provider>
  );
}
