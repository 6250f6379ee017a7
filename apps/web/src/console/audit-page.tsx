import { useId, useState } from 'react';
import { useAction, useLoad } from '../hooks';
import { AuditEntry, OverviewTenant } from '../types';
import { Badge, Button, Card, Empty, ErrorNote, Loading, PageTitle, When } from '../ui/ui';
import { useConsole } from './console-context';

interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

const ACTOR_KINDS: Record<string, string> = {
  operator: 'operator',
  user: 'tenant admin',
  setup_link: 'setup link',
};

/** The audit log: who changed what through the admin API (console, portal, CLI), newest first, by tenant. */
export function AuditPage() {
  const { api } = useConsole();
  const filterId = useId();
  const [tenant, setTenant] = useState('');
  const [older, setOlder] = useState<AuditPage>();
  const tenants = useLoad(
    () => api.get<{ tenants: OverviewTenant[] }>('/admin/v1/overview').then((body) => body.tenants),
    [],
  );
  const query = (after?: string) => {
    const params = new URLSearchParams({ limit: '50' });
    if (tenant) params.set('tenant', tenant);
    if (after) params.set('after', after);
    return `/admin/v1/audit?${params.toString()}`;
  };
  const first = useLoad(async () => {
    setOlder(undefined);
    return api.get<AuditPage>(query());
  }, [tenant]);
  const more = useAction(async (after: string) => {
    const page = await api.get<AuditPage>(query(after));
    setOlder((shown) => ({ entries: [...(shown?.entries ?? []), ...page.entries], nextCursor: page.nextCursor }));
  });
  const entries = [...(first.data?.entries ?? []), ...(older?.entries ?? [])];
  const next = older ? older.nextCursor : (first.data?.nextCursor ?? null);

  return (
    <>
      <PageTitle sub="Every change made through the admin API (console, setup portal, CLI), newest first.">
        Audit log
      </PageTitle>
      <Card
        actions={
          <div className="field inline">
            <label htmlFor={filterId}>Tenant</label>
            <select id={filterId} value={tenant} onChange={(e) => setTenant(e.currentTarget.value)}>
              <option value="">all</option>
              {tenants.data?.map((t) => (
                <option key={t.slug} value={t.slug}>
                  {t.name}
                </option>
              ))}
            </select>
          </div>
        }
      >
        <ErrorNote error={first.error ?? more.error} />
        {first.loading && !first.data && <Loading />}
        {first.data && entries.length === 0 && <Empty>Nothing recorded{tenant ? ' for this tenant' : ''} yet.</Empty>}
        {entries.length > 0 && (
          <div className="table-wrap">
            <table className="table" id="audit-table">
              <caption className="visually-hidden">Audit log entries</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Tenant</th>
                  <th scope="col" className="num">
                    Status
                  </th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.id}>
                    <td>
                      <When at={entry.occurredAt} />
                    </td>
                    <td>
                      {entry.actor.label ?? entry.actor.id}
                      <div className="muted small">{ACTOR_KINDS[entry.actor.type] ?? entry.actor.type}</div>
                    </td>
                    <td>
                      <span className="mono">{entry.action}</span>
                      <div className="muted small mono">
                        {entry.method} {entry.route}
                      </div>
                    </td>
                    <td className="mono">{entry.tenant?.slug ?? <span className="muted">—</span>}</td>
                    <td className="num">
                      <Badge tone={entry.status < 400 ? 'ok' : 'bad'}>{entry.status}</Badge>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {next && (
          <div className="actions">
            <Button kind="secondary" onClick={() => void more.run(next)} pending={more.pending} id="audit-older">
              Older entries
            </Button>
          </div>
        )}
      </Card>
    </>
  );
}
