import { useLoad } from '../hooks';
import { DeliveryHealth, ScimRequest, SignInFailure } from '../types';
import { Badge, Card, Empty, ErrorNote, Loading, PageTitle, When } from '../ui/ui';
import { usePortal } from './portal-context';

/** Activity: what the IdP sent and how it was answered, refused sign-ins and why, and delivery health. */
export function ActivityStep() {
  const { api, base } = usePortal();
  const requests = useLoad(
    () => api.get<{ entries: ScimRequest[] }>(`${base}/scim-requests?limit=25`).then((b) => b.entries),
    [base],
  );
  const failures = useLoad(
    () => api.get<{ entries: SignInFailure[] }>(`${base}/sign-in-failures?limit=25`).then((b) => b.entries),
    [base],
  );
  const health = useLoad(() => api.get<DeliveryHealth>(`${base}/delivery-health`), [base]);

  return (
    <>
      <PageTitle sub="The latest requests from your identity provider and the sign-ins that were refused, with the reason.">
        Activity
      </PageTitle>
      <Card title="SCIM requests" id="scim-requests">
        <ErrorNote error={requests.error} />
        {requests.loading && !requests.data ? (
          <Loading />
        ) : requests.data?.length === 0 ? (
          <Empty>No request from your identity provider yet.</Empty>
        ) : (
          requests.data && (
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">Latest SCIM requests</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Request</th>
                    <th scope="col">Answer</th>
                    <th scope="col">Detail</th>
                  </tr>
                </thead>
                <tbody>
                  {requests.data.map((entry) => (
                    <tr key={entry.id}>
                      <td>
                        <When at={entry.occurredAt} />
                      </td>
                      <td className="mono wrap">
                        {entry.method} {entry.path}
                      </td>
                      <td>
                        <StatusBadge status={entry.status} />
                      </td>
                      <td className="wrap">{entry.detail ?? entry.scimType ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        )}
      </Card>
      <Card title="Refused sign-ins" id="sign-in-failures">
        <ErrorNote error={failures.error} />
        {failures.loading && !failures.data ? (
          <Loading />
        ) : failures.data?.length === 0 ? (
          <Empty>No refused sign-in.</Empty>
        ) : (
          <ul className="list">
            {failures.data?.map((failure) => (
              <li key={failure.id}>
                <When at={failure.occurredAt} /> · <strong>{failure.reason}</strong>
                {failure.detail && <span className="muted"> ({failure.detail})</span>}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Delivery to the vendor's products" id="delivery-health">
        <ErrorNote error={health.error} />
        {health.data?.subscriptions.length === 0 && <Empty>No product receives your changes yet.</Empty>}
        {health.data && health.data.subscriptions.length > 0 && (
          <ul className="list">
            {health.data.subscriptions.map((sub) => (
              <li key={sub.id} className="split">
                <span>{sub.name}</span>
                <span>
                  {sub.failed24h > 0 ? (
                    <Badge tone="bad">{sub.failed24h} failed</Badge>
                  ) : (
                    <Badge tone="ok">healthy</Badge>
                  )}{' '}
                  <span className="muted">
                    {sub.delivered24h} delivered in 24 h, {sub.pending} pending
                  </span>
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}

export function StatusBadge({ status }: { status: number }) {
  const tone = status >= 500 ? 'bad' : status >= 400 ? 'warn' : 'ok';
  return <Badge tone={tone}>{status}</Badge>;
}
