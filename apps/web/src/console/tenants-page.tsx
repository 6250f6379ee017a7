import { FormEvent, useState } from 'react';
import { seg } from '../api';
import { useAction, useLoad } from '../hooks';
import { linkHandler } from '../router';
import { OverviewTenant, Tenant } from '../types';
import { Badge, Button, Card, Empty, ErrorNote, Field, Loading, PageTitle, When } from '../ui/ui';
import { useConsole } from './console-context';

/** Every tenant with its health at a glance, the newest trouble first to the eye. */
export function TenantsPage() {
  const { api, navigate } = useConsole();
  const overview = useLoad(
    () => api.get<{ tenants: OverviewTenant[] }>('/admin/v1/overview').then((body) => body.tenants),
    [],
  );

  return (
    <>
      <PageTitle sub="SCIM traffic, errors and sign-ins of the last 24 hours.">Tenants</PageTitle>
      <Card>
        <ErrorNote error={overview.error} />
        {overview.loading && !overview.data ? (
          <Loading />
        ) : overview.data?.length === 0 ? (
          <Empty>No tenant yet. Create the first one below.</Empty>
        ) : (
          overview.data && (
            <div className="table-wrap">
              <table className="table" id="tenants-table">
                <caption className="visually-hidden">Tenants and their health</caption>
                <thead>
                  <tr>
                    <th scope="col">Tenant</th>
                    <th scope="col">Health</th>
                    <th scope="col">Last SCIM request</th>
                    <th scope="col" className="num">
                      SCIM 24 h
                    </th>
                    <th scope="col" className="num">
                      Users
                    </th>
                    <th scope="col" className="num">
                      Groups
                    </th>
                    <th scope="col" className="num">
                      Sign-ins 24 h
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {overview.data.map((tenant) => {
                    const to = `/console/tenants/${seg(tenant.slug)}`;
                    return (
                      <tr key={tenant.slug}>
                        <th scope="row">
                          <a href={to} onClick={linkHandler(navigate, to)}>
                            {tenant.name}
                          </a>
                          <div className="muted mono small">{tenant.slug}</div>
                        </th>
                        <td>
                          <Health tenant={tenant} />
                        </td>
                        <td>
                          <When at={tenant.lastScimRequestAt} />
                        </td>
                        <td className="num">{tenant.scimRequests24h}</td>
                        <td className="num">{tenant.users}</td>
                        <td className="num">{tenant.groups}</td>
                        <td className="num">{tenant.signIns24h}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        )}
      </Card>
      <CreateTenant onCreated={(slug) => navigate(`/console/tenants/${seg(slug)}`)} />
    </>
  );
}

function Health({ tenant }: { tenant: OverviewTenant }) {
  if (tenant.scimRequests24h === 0) return <Badge tone="neutral">quiet</Badge>;
  const percent = Math.round(tenant.scimErrorRate24h * 1000) / 10;
  if (tenant.scimErrorRate24h >= 0.1) return <Badge tone="bad">{percent}% errors</Badge>;
  if (tenant.scimErrorRate24h > 0) return <Badge tone="warn">{percent}% errors</Badge>;
  return <Badge tone="ok">healthy</Badge>;
}

function CreateTenant({ onCreated }: { onCreated: (slug: string) => void }) {
  const { api } = useConsole();
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const create = useAction(async () => {
    const tenant = await api.post<Tenant>('/admin/v1/tenants', { slug: slug.trim(), name: name.trim() });
    onCreated(tenant.slug);
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void create.run();
  };
  return (
    <Card title="New tenant" id="new-tenant">
      <form className="inline-form" onSubmit={onSubmit}>
        <Field label="Name" value={name} onChange={setName} required name="name" placeholder="Acme Corp" />
        <Field label="Slug" value={slug} onChange={setSlug} required name="slug" placeholder="acme" />
        <Button type="submit" pending={create.pending}>
          Create tenant
        </Button>
      </form>
      <ErrorNote error={create.error} />
    </Card>
  );
}
