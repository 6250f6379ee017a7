import { FormEvent, useEffect, useState } from 'react';
import { seg } from '../api';
import { toApiError, useAction, useLoad } from '../hooks';
import { linkHandler } from '../router';
import { RulesEditor } from '../portal/rules-editor';
import {
  Domain,
  Group,
  GroupRoleRule,
  IssuedToken,
  OidcConnection,
  PortalScopeName,
  SCOPE_LABELS,
  ScimToken,
  SetupLink,
  Tenant,
  TenantUser,
} from '../types';
import {
  Badge,
  Button,
  Card,
  CopyField,
  Empty,
  ErrorNote,
  Field,
  Loading,
  OnceSecret,
  PageTitle,
  When,
} from '../ui/ui';
import { useConsole } from './console-context';

const TABS = ['overview', 'tokens', 'sign-in', 'users', 'rules', 'setup-links'] as const;
type Tab = (typeof TABS)[number];
const TAB_LABELS: Record<Tab, string> = {
  overview: 'Overview',
  tokens: 'SCIM tokens',
  'sign-in': 'Sign-in',
  users: 'Users',
  rules: 'Rules',
  'setup-links': 'Setup links',
};

function tabFromHash(): Tab {
  const hash = window.location.hash.slice(1);
  return (TABS as readonly string[]).includes(hash) ? (hash as Tab) : 'overview';
}

/** One tenant: its setup values, tokens, IdP connection, users, rules and setup links. */
export function TenantPage({ slug }: { slug: string }) {
  const { api, navigate } = useConsole();
  const base = `/admin/v1/tenants/${seg(slug)}`;
  const tenant = useLoad(() => api.get<Tenant>(base), [base]);
  const [active, setActive] = useState<Tab>(tabFromHash);
  // The section is in the address (#users): back, forward and a pasted link open it.
  useEffect(() => {
    const onHash = () => setActive(tabFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const choose = (next: Tab) => {
    window.history.replaceState(null, '', `#${next}`);
    setActive(next);
  };

  return (
    <>
      <p className="breadcrumb">
        <a href="/console" onClick={linkHandler(navigate, '/console')}>
          Tenants
        </a>{' '}
        /
      </p>
      <PageTitle sub={<span className="mono">{slug}</span>}>{tenant.data?.name ?? slug}</PageTitle>
      <ErrorNote error={tenant.error} />
      <nav className="subnav" aria-label="Tenant sections">
        {TABS.map((name) => (
          <a
            key={name}
            href={`#${name}`}
            className={active === name ? 'active' : undefined}
            aria-current={active === name ? 'page' : undefined}
            onClick={(event) => {
              event.preventDefault();
              choose(name);
            }}
          >
            {TAB_LABELS[name]}
          </a>
        ))}
      </nav>
      {tenant.data && (
        <>
          {active === 'overview' && <TenantOverview tenant={tenant.data} base={base} />}
          {active === 'tokens' && <Tokens base={base} />}
          {active === 'sign-in' && <Connection base={base} />}
          {active === 'users' && <Users base={base} />}
          {active === 'rules' && <Rules base={base} />}
          {active === 'setup-links' && <SetupLinks base={base} tenant={tenant.data} />}
        </>
      )}
    </>
  );
}

function TenantOverview({ tenant, base }: { tenant: Tenant; base: string }) {
  const { api } = useConsole();
  const domains = useLoad(() => api.get<{ data: Domain[] }>(`${base}/domains`).then((b) => b.data), [base]);
  return (
    <div className="grid-2">
      <Card title="Setup values" id="setup-values">
        <CopyField label="SCIM base URL" value={tenant.setup.scimBaseUrl} />
        <CopyField label="Sign-in redirect URI" value={tenant.setup.signInRedirectUri} />
        <CopyField label="Sign-out redirect URI" value={tenant.setup.signOutRedirectUri} />
        <CopyField label="Initiate login URI" value={tenant.setup.initiateLoginUri} />
      </Card>
      <Card title="Tenant" id="tenant-facts">
        <dl className="facts">
          <dt>New users at sign-in</dt>
          <dd>{tenant.signIn === 'jit' ? 'created just in time' : 'only if provisioned by SCIM'}</dd>
          <dt>Created</dt>
          <dd>
            <When at={tenant.createdAt} />
          </dd>
        </dl>
        <h3 className="subhead">Domains</h3>
        <ErrorNote error={domains.error} />
        {domains.data?.length === 0 && <Empty>No domain.</Empty>}
        <ul className="list" id="tenant-domains">
          {domains.data?.map((domain) => (
            <li key={domain.domain} className="split">
              <span className="mono">{domain.domain}</span>
              <DomainStatus status={domain.status} />
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}

function DomainStatus({ status }: { status: Domain['status'] }) {
  if (status === 'verified') return <Badge tone="ok">verified by DNS</Badge>;
  if (status === 'operator') return <Badge tone="ok">set by an operator</Badge>;
  return <Badge tone="warn">waiting for DNS</Badge>;
}

function Tokens({ base }: { base: string }) {
  const { api } = useConsole();
  const tokens = useLoad(() => api.get<{ tokens: ScimToken[] }>(`${base}/scim-tokens`).then((b) => b.tokens), [base]);
  const [issued, setIssued] = useState<IssuedToken>();
  const issue = useAction(async () => {
    setIssued(await api.post<IssuedToken>(`${base}/scim-tokens`, {}));
    await tokens.reload();
  });
  const revoke = useAction(async (id: string) => {
    await api.delete(`${base}/scim-tokens/${seg(id)}`);
    await tokens.reload();
  });
  return (
    <Card
      title="SCIM tokens"
      id="scim-tokens"
      actions={
        <Button onClick={() => void issue.run()} pending={issue.pending} id="console-issue-token">
          Issue a token
        </Button>
      }
    >
      {issued && <OnceSecret label="SCIM token" value={issued.token} />}
      <ErrorNote error={tokens.error ?? issue.error ?? revoke.error} />
      {tokens.data?.length === 0 && <Empty>No token.</Empty>}
      {tokens.data && tokens.data.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">SCIM tokens</caption>
            <thead>
              <tr>
                <th scope="col">Token</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((token) => (
                <tr key={token.id}>
                  <td className="mono">{token.prefix}…</td>
                  <td>
                    <Badge tone={token.status === 'active' ? 'ok' : 'neutral'}>{token.status}</Badge>
                  </td>
                  <td>
                    <When at={token.createdAt} />
                  </td>
                  <td>
                    <When at={token.lastUsedAt} />
                  </td>
                  <td>{token.expiresAt ? <When at={token.expiresAt} /> : <span className="muted">never</span>}</td>
                  <td className="right">
                    {token.status === 'active' && (
                      <Button kind="danger" onClick={() => void revoke.run(token.id)} pending={revoke.pending}>
                        Revoke<span className="visually-hidden"> {token.prefix}</span>
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

function Connection({ base }: { base: string }) {
  const { api } = useConsole();
  const connection = useLoad(async () => {
    try {
      return await api.get<OidcConnection>(`${base}/oidc`);
    } catch (caught) {
      if (toApiError(caught).status === 404) return null;
      throw caught;
    }
  }, [base]);
  const remove = useAction(async () => {
    await api.delete(`${base}/oidc`);
    await connection.reload();
  });
  const c = connection.data;
  return (
    <Card
      title="OIDC connection"
      id="oidc-connection"
      actions={
        c && (
          <Button kind="danger" onClick={() => void remove.run()} pending={remove.pending}>
            Disconnect
          </Button>
        )
      }
    >
      <ErrorNote error={connection.error ?? remove.error} />
      {connection.loading && connection.data === undefined && <Loading />}
      {c === null && <Empty>Not connected. The customer connects their IdP in the setup portal.</Empty>}
      {c && (
        <dl className="facts">
          <dt>Issuer</dt>
          <dd className="mono wrap">{c.issuer}</dd>
          <dt>Client ID</dt>
          <dd className="mono wrap">{c.clientId}</dd>
          <dt>Scopes</dt>
          <dd className="mono">{c.scopes.join(' ')}</dd>
          <dt>Groups claim</dt>
          <dd className="mono">{c.groupsClaim ?? '—'}</dd>
          <dt>External id claim</dt>
          <dd className="mono">{c.externalIdClaim}</dd>
          <dt>Updated</dt>
          <dd>
            <When at={c.updatedAt} />
          </dd>
        </dl>
      )}
    </Card>
  );
}

function Users({ base }: { base: string }) {
  const { api } = useConsole();
  const users = useLoad(() => api.get<{ users: TenantUser[] }>(`${base}/users?limit=100`).then((b) => b.users), [base]);
  const [editing, setEditing] = useState<string>();
  return (
    <Card title="Users" id="users">
      <ErrorNote error={users.error} />
      {users.loading && !users.data && <Loading />}
      {users.data?.length === 0 && <Empty>No user yet.</Empty>}
      {users.data && users.data.length > 0 && (
        <div className="table-wrap">
          <table className="table" id="users-table">
            <caption className="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Roles (granted + from groups)</th>
                <th scope="col">Teams</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((user) =>
                editing === user.id ? (
                  <tr key={user.id}>
                    <td colSpan={5}>
                      <UserEditor
                        base={base}
                        user={user}
                        onDone={() => {
                          setEditing(undefined);
                          void users.reload();
                        }}
                      />
                    </td>
                  </tr>
                ) : (
                  <tr key={user.id}>
                    <th scope="row">
                      <span className="mono">{user.userName}</span>
                      {!user.active && <Badge tone="neutral">inactive</Badge>}
                      {user.name && <div className="muted small">{user.name}</div>}
                    </th>
                    <td>
                      {user.effectiveRoles.length === 0 && <span className="muted">none</span>}
                      {user.effectiveRoles.map((role) => (
                        <Badge key={role} tone="info">
                          {role}
                        </Badge>
                      ))}
                    </td>
                    <td>{user.teams.length > 0 ? user.teams.join(', ') : <span className="muted">none</span>}</td>
                    <td>
                      <When at={user.lastSignInAt} />
                    </td>
                    <td className="right">
                      <Button kind="secondary" onClick={() => setEditing(user.id)}>
                        Edit<span className="visually-hidden"> {user.userName}</span>
                      </Button>
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function UserEditor({ base, user, onDone }: { base: string; user: TenantUser; onDone: () => void }) {
  const { api } = useConsole();
  const [roles, setRoles] = useState(user.roles.join(', '));
  const [teams, setTeams] = useState(user.teams.join(', '));
  const split = (value: string) => value.split(/[\s,]+/).filter((part) => part !== '');
  const save = useAction(async () => {
    const path = `${base}/users/${seg(user.id)}`;
    await api.put(`${path}/roles`, { roles: split(roles) });
    await api.put(`${path}/teams`, { teams: split(teams) });
    onDone();
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void save.run();
  };
  return (
    <form className="inline-form" onSubmit={onSubmit} aria-label={`Edit ${user.userName}`}>
      <Field label={`Roles of ${user.userName}`} value={roles} onChange={setRoles} hint="Comma separated" />
      <Field label="Teams" value={teams} onChange={setTeams} hint="Comma separated" />
      <Button type="submit" pending={save.pending}>
        Save
      </Button>
      <Button kind="secondary" onClick={onDone}>
        Cancel
      </Button>
      <ErrorNote error={save.error} />
    </form>
  );
}

function Rules({ base }: { base: string }) {
  const { api } = useConsole();
  const rules = useLoad(() => api.get<{ rules: GroupRoleRule[] }>(`${base}/group-roles`).then((b) => b.rules), [base]);
  const groups = useLoad(async () => {
    try {
      return (await api.get<{ data: Group[] }>(`${base}/groups?limit=200`)).data;
    } catch {
      return [];
    }
  }, [base]);
  return (
    <Card title="Group → role rules" id="rules">
      <ErrorNote error={rules.error} />
      {rules.data ? (
        <RulesEditor api={api} base={base} rules={rules.data} groups={groups.data ?? []} onSaved={() => undefined} />
      ) : (
        !rules.error && <Loading />
      )}
    </Card>
  );
}

const ALL_SCOPES: PortalScopeName[] = ['domains', 'oidc', 'scim', 'roles', 'logs'];

function SetupLinks({ base, tenant }: { base: string; tenant: Tenant }) {
  const { api } = useConsole();
  const links = useLoad(() => api.get<{ data: SetupLink[] }>(`${base}/setup-links`).then((b) => b.data), [base]);
  const [scopes, setScopes] = useState<PortalScopeName[]>(ALL_SCOPES);
  const [email, setEmail] = useState('');
  const [ttl, setTtl] = useState('72');
  const [created, setCreated] = useState<SetupLink>();
  const create = useAction(async () => {
    setCreated(
      await api.post<SetupLink>(`${base}/setup-links`, {
        scopes,
        ttlHours: Number(ttl),
        ...(email.trim() ? { email: email.trim() } : {}),
      }),
    );
    await links.reload();
  });
  const revoke = useAction(async (id: string) => {
    await api.delete(`${base}/setup-links/${seg(id)}`);
    await links.reload();
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setCreated(undefined);
    void create.run();
  };
  const toggle = (scope: PortalScopeName, on: boolean) =>
    setScopes((all) =>
      on ? ALL_SCOPES.filter((s) => s === scope || all.includes(s)) : all.filter((s) => s !== scope),
    );

  return (
    <>
      <Card title={`New setup link for ${tenant.name}`} id="new-setup-link">
        <p>
          A setup link lets the customer's IT administrator configure these steps themselves. It works once, for the
          hours you choose.
        </p>
        <form className="stack" onSubmit={onSubmit}>
          <fieldset className="scopes">
            <legend>Steps the link opens</legend>
            {ALL_SCOPES.map((scope) => (
              <div className="checkbox" key={scope}>
                <input
                  id={`scope-${scope}`}
                  type="checkbox"
                  checked={scopes.includes(scope)}
                  onChange={(e) => toggle(scope, e.currentTarget.checked)}
                />
                <label htmlFor={`scope-${scope}`}>{SCOPE_LABELS[scope]}</label>
              </div>
            ))}
          </fieldset>
          <div className="grid-2">
            <Field label="For (email, optional)" type="email" value={email} onChange={setEmail} name="email" />
            <Field label="Valid for (hours, 1–168)" type="number" value={ttl} onChange={setTtl} name="ttlHours" />
          </div>
          <div className="actions">
            <Button type="submit" pending={create.pending} disabled={scopes.length === 0} id="create-setup-link">
              Create setup link
            </Button>
          </div>
        </form>
        <ErrorNote error={create.error} />
        {created?.url && (
          <OnceSecret label="Setup link" value={created.url}>
            <p className="hint">
              Send it to the customer's administrator. It expires <When at={created.expiresAt} />.
            </p>
          </OnceSecret>
        )}
      </Card>
      <Card title="Administrators' sign-in to the portal" id="admin-portal-sign-in">
        <p>
          Once sign-in works, {tenant.name}'s administrators (role <code>admin</code>) open the setup portal without a
          link: from the portal's page with their work email, or straight from this address.
        </p>
        <CopyField label="Portal sign-in for administrators" value={adminPortalSignIn(tenant)} />
      </Card>
      <Card title="Setup links" id="setup-links">
        <ErrorNote error={links.error ?? revoke.error} />
        {links.data?.length === 0 && <Empty>No setup link yet.</Empty>}
        {links.data && links.data.length > 0 && (
          <div className="table-wrap">
            <table className="table" id="setup-links-table">
              <caption className="visually-hidden">Setup links</caption>
              <thead>
                <tr>
                  <th scope="col">For</th>
                  <th scope="col">Steps</th>
                  <th scope="col">Status</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {links.data.map((link) => (
                  <tr key={link.id}>
                    <td>{link.email ?? <span className="muted">anyone with the link</span>}</td>
                    <td>{link.scopes.map((scope) => SCOPE_LABELS[scope] ?? scope).join(', ')}</td>
                    <td>
                      <LinkStatus status={link.status} />
                    </td>
                    <td>
                      <When at={link.expiresAt} />
                    </td>
                    <td className="right">
                      {link.status === 'active' && (
                        <Button kind="danger" onClick={() => void revoke.run(link.id)} pending={revoke.pending}>
                          Revoke<span className="visually-hidden"> link {link.email ?? link.id}</span>
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
    </>
  );
}

/** The tenant's sign-in (its initiate-login URI, on PUBLIC_URL), returning to the setup portal. */
function adminPortalSignIn(tenant: Tenant): string {
  const login = new URL(tenant.setup.initiateLoginUri);
  login.searchParams.set('return_to', `${login.origin}/portal`);
  return login.href;
}

function LinkStatus({ status }: { status: SetupLink['status'] }) {
  if (status === 'active') return <Badge tone="ok">active</Badge>;
  if (status === 'used') return <Badge tone="info">used</Badge>;
  return <Badge tone="neutral">{status ?? 'unknown'}</Badge>;
}
