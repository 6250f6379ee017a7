import { FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, seg } from '../api';
import { toApiError, useAction, useLoad } from '../hooks';
import { LatestTestSignIn, OidcConnection, TestSignIn } from '../types';
import { Badge, Button, Card, CopyField, ErrorNote, Field, Loading, Note, PageTitle, When } from '../ui/ui';
import { IdpTabs, Idp } from './idp-tabs';
import { usePortal } from './portal-context';

/** Sign-in: the values to paste into the IdP, the IdP's values back, and a test sign-in in a popup. */
export function SignInStep() {
  const { api, base, tenant, learn } = usePortal();
  const [idp, setIdp] = useState<Idp>('okta');
  const connection = useLoad(async () => {
    try {
      const found = await api.get<OidcConnection>(`${base}/oidc`);
      learn({ oidcConfigured: true });
      return found;
    } catch (caught) {
      if (toApiError(caught).status === 404) {
        learn({ oidcConfigured: false });
        return null;
      }
      throw caught;
    }
  }, [base]);
  const setup = tenant.setup;

  return (
    <>
      <PageTitle sub="Create an app for this service in your identity provider, paste its values here, then try a test sign-in.">
        Connect single sign-on
      </PageTitle>
      <Card title="1. Create the app in your identity provider" id="create-app">
        <IdpTabs value={idp} onChange={setIdp} />
        <div className="tab-panel" role="tabpanel" id={`idp-panel-${idp}`} aria-labelledby={`idp-tab-${idp}`}>
          {idp === 'okta' ? <OktaInstructions /> : <EntraInstructions />}
        </div>
        <div className="grid-2">
          <CopyField
            label={idp === 'okta' ? 'Sign-in redirect URI' : 'Redirect URI (Web)'}
            value={setup.signInRedirectUri}
          />
          <CopyField
            label={idp === 'okta' ? 'Sign-out redirect URI' : 'Front-channel logout URL'}
            value={setup.signOutRedirectUri}
          />
          <CopyField label="Initiate login URI" value={setup.initiateLoginUri} />
        </div>
      </Card>
      {connection.loading && connection.data === undefined ? (
        <Loading />
      ) : (
        <>
          <ErrorNote error={connection.error} />
          <ConnectionForm idp={idp} connection={connection.data ?? null} onSaved={connection.reload} />
          {connection.data && <TestSignInCard />}
        </>
      )}
    </>
  );
}

function OktaInstructions() {
  return (
    <ol className="instructions">
      <li>
        In the Okta Admin Console, go to <strong>Applications → Applications → Create App Integration</strong>.
      </li>
      <li>
        Choose <strong>OIDC - OpenID Connect</strong> and <strong>Web Application</strong>.
      </li>
      <li>
        Paste the <strong>Sign-in redirect URI</strong>, the <strong>Sign-out redirect URI</strong> and the{' '}
        <strong>Initiate login URI</strong> below.
      </li>
      <li>
        Under <strong>Assignments</strong>, choose who may sign in, then save.
      </li>
      <li>
        For groups in the token, on the <strong>Sign On</strong> tab set the <strong>Groups claim filter</strong> to{' '}
        <code>groups</code> Matches regex <code>.*</code>.
      </li>
      <li>
        Copy the <strong>Client ID</strong> and <strong>Client secret</strong>, and your Okta domain (e.g.{' '}
        <code>acme.okta.com</code>), into the form below.
      </li>
    </ol>
  );
}

function EntraInstructions() {
  return (
    <ol className="instructions">
      <li>
        In the Microsoft Entra admin center, go to{' '}
        <strong>Identity → Applications → App registrations → New registration</strong>.
      </li>
      <li>
        Under <strong>Redirect URI</strong> choose <strong>Web</strong> and paste the redirect URI below; register.
      </li>
      <li>
        Under <strong>Authentication</strong>, paste the <strong>Front-channel logout URL</strong>.
      </li>
      <li>
        Under <strong>Certificates &amp; secrets</strong>, create a client secret and copy its <strong>Value</strong>.
      </li>
      <li>
        Under <strong>Token configuration</strong>, add a <strong>groups claim</strong> (Security groups, Group ID or
        sAMAccountName) and the optional claim <code>email</code>.
      </li>
      <li>
        The issuer is <code>https://login.microsoftonline.com/&lt;tenant id&gt;/v2.0</code>; the client ID is the{' '}
        <strong>Application (client) ID</strong>.
      </li>
    </ol>
  );
}

function ConnectionForm({
  idp,
  connection,
  onSaved,
}: {
  idp: Idp;
  connection: OidcConnection | null;
  onSaved: () => Promise<void>;
}) {
  const { api, base, learn } = usePortal();
  const [issuer, setIssuer] = useState(connection?.issuer ?? '');
  const [clientId, setClientId] = useState(connection?.clientId ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const [groups, setGroups] = useState(connection ? connection.groupsClaim !== null : true);
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    const scopes = new Set(connection?.scopes ?? ['openid', 'profile', 'email']);
    // Okta sends groups only for the `groups` scope; Entra sends them when its token configuration says so.
    if (groups && idp === 'okta') scopes.add('groups');
    if (!groups) scopes.delete('groups');
    await api.put(`${base}/oidc`, {
      issuer: issuer.trim(),
      clientId: clientId.trim(),
      clientSecret,
      scopes: [...scopes],
      groupsClaim: groups ? (connection?.groupsClaim ?? 'groups') : null,
      externalIdClaim: connection?.externalIdClaim ?? (idp === 'entra' ? 'oid' : 'sub'),
      tokenEndpointAuthMethod: connection?.tokenEndpointAuthMethod ?? 'client_secret_basic',
      postLogoutRedirectUri: connection?.postLogoutRedirectUri ?? null,
      allowedReturnUrls: connection?.allowedReturnUrls ?? [],
    });
    setClientSecret('');
    setSaved(true);
    learn({ oidcConfigured: true, testSignInSucceeded: false });
    await onSaved();
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    void save.run();
  };

  return (
    <Card
      title="2. Paste your identity provider's values"
      id="connection"
      actions={connection ? <Badge tone="ok">Connected</Badge> : <Badge tone="neutral">Not connected</Badge>}
    >
      {connection && (
        <p className="muted">
          Connected to <span className="mono">{connection.issuer}</span>, updated <When at={connection.updatedAt} />.
          The client secret is stored encrypted and never shown: enter it again to change these values.
        </p>
      )}
      <form onSubmit={onSubmit} className="stack">
        <Field
          label={idp === 'okta' ? 'Okta domain or issuer URL' : 'Issuer URL'}
          value={issuer}
          onChange={setIssuer}
          required
          name="issuer"
          placeholder={idp === 'okta' ? 'acme.okta.com' : 'https://login.microsoftonline.com/…/v2.0'}
          hint="The gateway reads its discovery document to check it."
        />
        <Field label="Client ID" value={clientId} onChange={setClientId} required name="clientId" />
        <Field
          label="Client secret"
          type="password"
          value={clientSecret}
          onChange={setClientSecret}
          required
          name="clientSecret"
          autoComplete="new-password"
        />
        <div className="checkbox">
          <input
            id="groups-claim"
            type="checkbox"
            checked={groups}
            onChange={(e) => setGroups(e.currentTarget.checked)}
          />
          <label htmlFor="groups-claim">Read group membership from the ID token (claim "groups")</label>
        </div>
        <div className="actions">
          <Button type="submit" pending={save.pending} id="save-connection">
            {connection ? 'Save changes' : 'Connect'}
          </Button>
        </div>
        <ErrorNote error={save.error} />
        {saved && !save.error && <Note tone="ok">Saved. The discovery document was read: now run a test sign-in.</Note>}
      </form>
    </Card>
  );
}

/** Opens the IdP's sign-in in a popup; the popup's last page posts back, and the result comes from the API. */
function TestSignInCard() {
  const { api, base, learn } = usePortal();
  const [test, setTest] = useState<{ id: string; result: TestSignIn }>();
  // The latest test, whichever browser ran it (404: none yet).
  const latest = useLoad(
    () =>
      api.get<LatestTestSignIn>(`${base}/oidc/test-sign-ins/latest`).catch((caught: unknown) => {
        if (toApiError(caught).status === 404) return null;
        throw caught;
      }),
    [base],
  );
  const [error, setError] = useState<ApiError>();
  const [blocked, setBlocked] = useState(false);
  const popup = useRef<Window | null>(null);

  const check = async (id: string) => {
    try {
      const result = await api.get<TestSignIn>(`${base}/oidc/test-sign-ins/${seg(id)}`);
      setTest({ id, result });
      if (result.status === 'succeeded') {
        learn({ testSignInSucceeded: true });
      }
      return result.status;
    } catch (caught) {
      setError(toApiError(caught));
      return 'failed';
    }
  };

  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { type?: string; id?: string } | null;
      if (event.origin !== window.location.origin || data?.type !== 'gateway:test-sign-in' || !data.id) return;
      void check(data.id);
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  });

  // While the test is pending, ask now and then too: the popup may be closed before it can post back.
  useEffect(() => {
    if (test?.result.status !== 'pending') return;
    const timer = window.setInterval(() => void check(test.id), 2000);
    return () => window.clearInterval(timer);
  });

  const start = async () => {
    setError(undefined);
    setBlocked(false);
    // Opened in the click itself, so no popup blocker stops it; pointed at the IdP once the test exists.
    popup.current = window.open('', 'gateway-test-sign-in', 'popup,width=520,height=720');
    try {
      const created = await api.post<{ id: string; url: string }>(`${base}/oidc/test-sign-ins`);
      setTest({ id: created.id, result: { status: 'pending' } });
      if (popup.current) popup.current.location.href = created.url;
      else setBlocked(true);
    } catch (caught) {
      popup.current?.close();
      setError(toApiError(caught));
    }
  };

  const result = test?.result;
  return (
    <Card title="3. Test sign-in" id="test-sign-in">
      <p>
        Sign in with your own account in a popup window. Nothing is created here: the gateway only shows the claims your
        identity provider sent.
      </p>
      <div className="actions">
        <Button onClick={() => void start()} pending={result?.status === 'pending'} id="start-test-sign-in">
          {result?.status === 'pending' ? 'Waiting for the popup…' : 'Run a test sign-in'}
        </Button>
      </div>
      {!test && latest.data && <LatestTest latest={latest.data} />}
      {blocked && (
        <Note tone="warn">Your browser blocked the popup. Allow popups for this site and run the test again.</Note>
      )}
      <ErrorNote error={error} />
      {result?.status === 'succeeded' && (
        <div id="test-result">
          <Note tone="ok">
            <strong>Test sign-in succeeded.</strong> Your identity provider sent these claims:
          </Note>
          <Claims claims={result.claims ?? {}} />
        </div>
      )}
      {result?.status === 'failed' && (
        <div id="test-result">
          <Note tone="bad">
            <strong>Test sign-in failed.</strong> {result.error ?? 'The identity provider did not complete it.'}
          </Note>
        </div>
      )}
    </Card>
  );
}

/** The latest test before this page's own: when, how it went, and whether it tested the connection as it is now. */
function LatestTest({ latest }: { latest: LatestTestSignIn }) {
  if (!latest.current)
    return (
      <p className="muted" id="latest-test">
        The last test sign-in (<When at={latest.finishedAt} />) was of the connection before its last change: run it
        again.
      </p>
    );
  return latest.status === 'succeeded' ? (
    <p className="ok-line" id="latest-test">
      The last test sign-in succeeded <When at={latest.finishedAt} />.
    </p>
  ) : (
    <Note tone="bad">
      The last test sign-in (<When at={latest.finishedAt} />) failed:{' '}
      {latest.error ?? 'the identity provider did not complete it.'}
    </Note>
  );
}

function Claims({ claims }: { claims: Record<string, unknown> }) {
  const entries = Object.entries(claims);
  return (
    <div className="table-wrap">
      <table className="table claims">
        <caption className="visually-hidden">Claims received</caption>
        <thead>
          <tr>
            <th scope="col">Claim</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {entries.map(([name, value]) => (
            <tr key={name}>
              <th scope="row" className="mono">
                {name}
              </th>
              <td className="mono wrap">{typeof value === 'string' ? value : JSON.stringify(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
