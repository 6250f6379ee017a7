import { FormEvent, useState } from 'react';
import { seg } from '../api';
import { useAction, useLoad } from '../hooks';
import { Domain } from '../types';
import { Badge, Button, Card, CopyField, Empty, ErrorNote, Field, Loading, Note, PageTitle, When } from '../ui/ui';
import { usePortal } from './portal-context';

/** Domains: add one, publish its TXT record, verify. */
export function DomainsStep() {
  const { api, base, learn } = usePortal();
  const domains = useLoad(async () => {
    const body = await api.get<{ data: Domain[] }>(`${base}/domains`);
    learn({ verifiedDomains: body.data.filter((d) => d.status !== 'pending').length });
    return body.data;
  }, [base]);
  const [name, setName] = useState('');
  const add = useAction(async (domain: string) => {
    await api.post(`${base}/domains`, { domain });
    setName('');
    await domains.reload();
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void add.run(name.trim());
  };

  return (
    <>
      <PageTitle sub="Your people type their work email; a verified domain sends them to your sign-in. Public mail domains (gmail.com…) cannot be added.">
        Verify your domains
      </PageTitle>
      <Card title="Add a domain" id="add-domain">
        <form className="inline-form" onSubmit={onSubmit}>
          <Field label="Domain" value={name} onChange={setName} placeholder="example.com" required name="domain" />
          <Button type="submit" pending={add.pending} disabled={name.trim() === ''} id="add-domain-button">
            Add domain
          </Button>
        </form>
        <ErrorNote error={add.error} />
      </Card>
      {domains.loading && !domains.data ? (
        <Loading />
      ) : (
        <>
          <ErrorNote error={domains.error} />
          {domains.data?.length === 0 && (
            <Card>
              <Empty>No domain yet. Add the domain of your work email addresses above.</Empty>
            </Card>
          )}
          {domains.data?.map((domain) => (
            <DomainCard key={domain.domain} domain={domain} onChange={domains.reload} />
          ))}
        </>
      )}
    </>
  );
}

function DomainCard({ domain, onChange }: { domain: Domain; onChange: () => Promise<void> }) {
  const { api, base } = usePortal();
  const [notFound, setNotFound] = useState<string>();
  const verify = useAction(async () => {
    setNotFound(undefined);
    try {
      await api.post(`${base}/domains/${seg(domain.domain)}/verify`);
    } catch (caught) {
      const error = caught as { code?: string; message?: string };
      if (error.code === 'not_verified') {
        setNotFound(error.message);
        return;
      }
      throw caught;
    }
    await onChange();
  });
  const remove = useAction(async () => {
    await api.delete(`${base}/domains/${seg(domain.domain)}`);
    await onChange();
  });
  const slug = domain.domain.replace(/[^a-z0-9]+/gi, '-');

  return (
    <Card
      id={`domain-${slug}`}
      title={
        <>
          <span className="mono">{domain.domain}</span> <DomainBadge status={domain.status} />
        </>
      }
      actions={
        domain.status === 'operator' ? undefined : (
          <Button kind="link" onClick={() => void remove.run()} pending={remove.pending}>
            Remove<span className="visually-hidden"> {domain.domain}</span>
          </Button>
        )
      }
    >
      {domain.status === 'pending' && domain.txtRecord && (
        <>
          <p>
            Publish this TXT record at your DNS provider, then verify. DNS changes can take a few minutes to be seen.
          </p>
          <div className="grid-2">
            <CopyField label="Record name (host)" value={domain.txtRecord.name} />
            <CopyField label="Record value" value={domain.txtRecord.value} />
          </div>
          <div className="actions">
            <Button onClick={() => void verify.run()} pending={verify.pending} id={`verify-${slug}`}>
              Verify {domain.domain}
            </Button>
          </div>
          {notFound && (
            <Note tone="warn">
              <strong>Not verified yet.</strong> {notFound}
            </Note>
          )}
        </>
      )}
      {domain.status === 'verified' && (
        <p className="ok-line">
          Verified <When at={domain.verifiedAt} />. Sign-ins with an @{domain.domain} address go to your identity
          provider.
        </p>
      )}
      {domain.status === 'operator' && <p>Set up by your vendor: trusted already.</p>}
      <ErrorNote error={verify.error ?? remove.error} />
    </Card>
  );
}

function DomainBadge({ status }: { status: Domain['status'] }) {
  if (status === 'verified') return <Badge tone="ok">Verified</Badge>;
  if (status === 'operator') return <Badge tone="ok">Set by vendor</Badge>;
  return <Badge tone="warn">Waiting for DNS</Badge>;
}
