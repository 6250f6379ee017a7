import { useState } from 'react';
import { seg } from '../api';
import { useAction, useLoad, usePolling } from '../hooks';
import { IssuedToken, Provisioning, ScimToken } from '../types';
import { Badge, Button, Card, CopyField, Empty, ErrorNote, Loading, OnceSecret, PageTitle, When } from '../ui/ui';
import { usePortal } from './portal-context';

/** How often the page asks whether the IdP has called (Okta's "Test API Credentials" is one GET). */
const POLL_MS = 2000;

/** Provisioning: the SCIM address, a token shown once, rotation, and live proof the IdP is calling. */
export function ProvisioningStep() {
  const { api, base, learn } = usePortal();
  const [status, setStatus] = useState<Provisioning>();
  const [pollError, setPollError] = useState(false);
  usePolling(
    async () => {
      try {
        const next = await api.get<Provisioning>(`${base}/provisioning`);
        setStatus(next);
        setPollError(false);
        learn({ scimConnected: next.connected, usersPushed: next.users.count });
      } catch {
        setPollError(true);
      }
    },
    POLL_MS,
    true,
  );

  return (
    <>
      <PageTitle sub="Your identity provider creates, updates and deactivates users and groups here through SCIM 2.0.">
        Connect provisioning (SCIM)
      </PageTitle>
      <Card title="1. SCIM connection values" id="scim-values">
        <p>
          In Okta, open your app's <strong>Provisioning</strong> tab, choose <strong>SCIM</strong>, and use
          <strong> HTTP Header</strong> authentication. In Microsoft Entra ID, open <strong>Provisioning</strong>, set
          the mode to <strong>Automatic</strong>, and paste the same values as Tenant URL and Secret Token.
        </p>
        {status ? <CopyField label="SCIM base URL" value={status.scimBaseUrl} /> : <Loading />}
        <p className="hint">
          Okta: Unique identifier field <code>userName</code>; push new users, profile updates and groups.
        </p>
      </Card>
      <Tokens />
      <Indicator status={status} pollError={pollError} />
      {status && status.connected && <FirstArrivals status={status} />}
    </>
  );
}

function Indicator({ status, pollError }: { status: Provisioning | undefined; pollError: boolean }) {
  const connected = status?.connected === true;
  return (
    <Card title="3. Test the connection" id="indicator-card">
      <div
        className={`indicator ${connected ? 'indicator-ok' : 'indicator-waiting'}`}
        id="scim-indicator"
        data-connected={connected}
      >
        <span className="indicator-dot" aria-hidden="true" />
        <div role="status" aria-live="polite">
          {connected ? (
            <>
              <strong>Connected.</strong> Your identity provider called{' '}
              {status?.lastRequest && (
                <>
                  (
                  <span className="mono">
                    {status.lastRequest.method} {status.lastRequest.path}
                  </span>{' '}
                  answered {status.lastRequest.status}, <When at={status.lastRequest.at} />)
                </>
              )}
            </>
          ) : (
            <>
              <strong>Waiting for your identity provider…</strong> Click <em>Test API Credentials</em> in Okta (or
              <em> Test Connection</em> in Entra ID). This turns green as soon as its request arrives.
            </>
          )}
        </div>
      </div>
      {pollError && <p className="hint">Could not ask the gateway just now; trying again.</p>}
    </Card>
  );
}

function FirstArrivals({ status }: { status: Provisioning }) {
  return (
    <div className="grid-2">
      <Card title={`Users (${status.users.count})`} id="first-users">
        {status.users.recent.length === 0 ? (
          <Empty>No user pushed yet. Assign people to the app in your identity provider.</Empty>
        ) : (
          <ul className="list">
            {status.users.recent.map((user) => (
              <li key={user.id}>
                <span className="mono">{user.userName}</span>{' '}
                {user.active ? <Badge tone="ok">active</Badge> : <Badge tone="neutral">inactive</Badge>}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title={`Groups (${status.groups.count})`} id="first-groups">
        {status.groups.recent.length === 0 ? (
          <Empty>No group pushed yet. Use Push Groups in Okta.</Empty>
        ) : (
          <ul className="list">
            {status.groups.recent.map((group) => (
              <li key={group.id}>
                {group.displayName} <span className="muted">· {group.memberCount} members</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

function Tokens() {
  const { api, base } = usePortal();
  const tokens = useLoad(() => api.get<{ tokens: ScimToken[] }>(`${base}/scim-tokens`).then((b) => b.tokens), [base]);
  const [issued, setIssued] = useState<IssuedToken>();
  const issue = useAction(async () => {
    setIssued(await api.post<IssuedToken>(`${base}/scim-tokens`, {}));
    await tokens.reload();
  });
  const rotate = useAction(async (id: string) => {
    setIssued(await api.post<IssuedToken>(`${base}/scim-tokens/${seg(id)}/rotation`));
    await tokens.reload();
  });
  const finish = useAction(async (id: string, how: 'complete' | 'cancel') => {
    await api.post(`${base}/scim-tokens/${seg(id)}/rotation/${how}`);
    setIssued(undefined);
    await tokens.reload();
  });
  const active = (tokens.data ?? []).filter((token) => token.status === 'active');
  // A rotation under way shows in the list (the new token names the one it replaces), after a reload too.
  const rotating = active.find((token) => token.replaces)?.replaces;

  return (
    <Card
      title="2. API token"
      id="tokens"
      actions={
        active.length === 0 ? (
          <Button onClick={() => void issue.run()} pending={issue.pending} id="issue-token">
            Issue a token
          </Button>
        ) : undefined
      }
    >
      {issued && (
        <OnceSecret label="API token" value={issued.token}>
          <p className="hint">Paste it as the API token (Okta) or Secret Token (Entra ID).</p>
        </OnceSecret>
      )}
      {rotating && (
        <div className="rotation" id="rotation">
          <p>
            Both tokens work now. Put the new one in your identity provider, test it, then finish the rotation to revoke
            the old one.
          </p>
          <div className="actions">
            <Button onClick={() => void finish.run(rotating, 'complete')} pending={finish.pending}>
              Finish rotation
            </Button>
            <Button kind="secondary" onClick={() => void finish.run(rotating, 'cancel')} pending={finish.pending}>
              Cancel rotation
            </Button>
          </div>
        </div>
      )}
      <ErrorNote error={tokens.error ?? issue.error ?? rotate.error ?? finish.error} />
      {tokens.data && active.length === 0 && !issued && (
        <Empty>No active token. Issue one for your identity provider.</Empty>
      )}
      {active.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Active API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Token</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {active.map((token) => (
                <tr key={token.id}>
                  <td>
                    <span className="mono">{token.prefix}…</span> {token.replaces && <Badge tone="info">new</Badge>}
                    {rotating === token.id && <Badge tone="warn">being replaced</Badge>}
                  </td>
                  <td>
                    <When at={token.createdAt} />
                  </td>
                  <td>
                    <When at={token.lastUsedAt} />
                  </td>
                  <td className="right">
                    {!rotating && (
                      <Button kind="secondary" onClick={() => void rotate.run(token.id)} pending={rotate.pending}>
                        Rotate<span className="visually-hidden"> token {token.prefix}</span>
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
