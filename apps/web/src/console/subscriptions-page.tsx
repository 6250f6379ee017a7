import { FormEvent, useId, useState } from 'react';
import { seg } from '../api';
import { useAction, useLoad } from '../hooks';
import { linkHandler } from '../router';
import { Delivery, Subscription } from '../types';
import { Badge, Button, Card, Empty, ErrorNote, Field, Loading, Note, PageTitle, When } from '../ui/ui';
import { useConsole } from './console-context';

/** The products' subscriptions to identity events. */
export function SubscriptionsPage() {
  const { api, navigate } = useConsole();
  const list = useLoad(
    () => api.get<{ subscriptions: Subscription[] }>('/admin/v1/subscriptions').then((b) => b.subscriptions),
    [],
  );
  return (
    <>
      <PageTitle sub="Where user and group changes are delivered: webhooks and queues.">Subscriptions</PageTitle>
      <Card>
        <ErrorNote error={list.error} />
        {list.loading && !list.data && <Loading />}
        {list.data?.length === 0 && <Empty>No subscription yet: products subscribe through the admin API.</Empty>}
        {list.data && list.data.length > 0 && (
          <div className="table-wrap">
            <table className="table" id="subscriptions-table">
              <caption className="visually-hidden">Subscriptions</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Delivers to</th>
                  <th scope="col">Events</th>
                  <th scope="col">Tenant</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((sub) => {
                  const to = `/console/subscriptions/${seg(sub.id)}`;
                  return (
                    <tr key={sub.id}>
                      <th scope="row">
                        <a href={to} onClick={linkHandler(navigate, to)}>
                          {sub.name}
                        </a>
                      </th>
                      <td className="mono wrap">{sub.kind === 'webhook' ? sub.url : `queue ${sub.queue}`}</td>
                      <td className="mono wrap">{sub.events.join(', ')}</td>
                      <td>{sub.tenant ?? <span className="muted">all</span>}</td>
                      <td>
                        <EnabledBadge sub={sub} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}

function EnabledBadge({ sub }: { sub: Subscription }) {
  return sub.enabled ? <Badge tone="ok">enabled</Badge> : <Badge tone="warn">disabled</Badge>;
}

type StatusFilter = '' | 'pending' | 'delivered' | 'failed';

/** One subscription: its delivery log with a status filter, retry, replay and a test event. */
export function SubscriptionPage({ id }: { id: string }) {
  const { api, navigate } = useConsole();
  const base = `/admin/v1/subscriptions/${seg(id)}`;
  const sub = useLoad(() => api.get<Subscription>(base), [base]);
  const [filter, setFilter] = useState<StatusFilter>('');
  const deliveries = useLoad(
    () =>
      api
        .get<{ deliveries: Delivery[] }>(`${base}/deliveries?limit=50${filter ? `&status=${filter}` : ''}`)
        .then((b) => b.deliveries),
    [base, filter],
  );
  const test = useAction(() =>
    api.post<{ status: number | null; ok: boolean; error: string | null; latencyMs: number }>(`${base}/test`),
  );
  const [testResult, setTestResult] = useState<{ ok: boolean; text: string }>();
  const retry = useAction(async (deliveryId: string) => {
    await api.post(`${base}/deliveries/${seg(deliveryId)}/retry`);
    await deliveries.reload();
  });
  const filterId = useId();

  return (
    <>
      <p className="breadcrumb">
        <a href="/console/subscriptions" onClick={linkHandler(navigate, '/console/subscriptions')}>
          Subscriptions
        </a>{' '}
        /
      </p>
      <PageTitle sub={sub.data ? (sub.data.kind === 'webhook' ? sub.data.url : `queue ${sub.data.queue}`) : undefined}>
        {sub.data?.name ?? 'Subscription'}
      </PageTitle>
      <ErrorNote error={sub.error} />
      {sub.data && (
        <Card
          title="Subscription"
          id="subscription"
          actions={
            sub.data.kind === 'webhook' && (
              <Button
                kind="secondary"
                id="send-test"
                pending={test.pending}
                onClick={() =>
                  void test.run().then((result) => {
                    if (result)
                      setTestResult({
                        ok: result.ok,
                        text: result.ok
                          ? `The receiver answered ${result.status} in ${result.latencyMs} ms.`
                          : `The receiver failed: ${result.error ?? result.status ?? 'no answer'}.`,
                      });
                  })
                }
              >
                Send a test event
              </Button>
            )
          }
        >
          <dl className="facts">
            <dt>Events</dt>
            <dd className="mono">{sub.data.events.join(', ')}</dd>
            <dt>Tenant</dt>
            <dd>{sub.data.tenant ?? 'all tenants'}</dd>
            <dt>State</dt>
            <dd>
              <EnabledBadge sub={sub.data} /> {sub.data.disabledReason}
            </dd>
          </dl>
          <ErrorNote error={test.error} />
          {testResult && <Note tone={testResult.ok ? 'ok' : 'bad'}>{testResult.text}</Note>}
        </Card>
      )}
      <Card
        title="Deliveries"
        id="deliveries"
        actions={
          <div className="field inline">
            <label htmlFor={filterId}>Status</label>
            <select id={filterId} value={filter} onChange={(e) => setFilter(e.currentTarget.value as StatusFilter)}>
              <option value="">all</option>
              <option value="pending">pending</option>
              <option value="delivered">delivered</option>
              <option value="failed">failed</option>
            </select>
          </div>
        }
      >
        <ErrorNote error={deliveries.error ?? retry.error} />
        {deliveries.loading && !deliveries.data && <Loading />}
        {deliveries.data?.length === 0 && <Empty>No delivery{filter ? ` ${filter}` : ''}.</Empty>}
        {deliveries.data && deliveries.data.length > 0 && (
          <div className="table-wrap">
            <table className="table" id="deliveries-table">
              <caption className="visually-hidden">Deliveries</caption>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Attempts
                  </th>
                  <th scope="col">Last answer</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {deliveries.data.map((delivery) => (
                  <tr key={delivery.id}>
                    <td className="mono">{delivery.eventType}</td>
                    <td>
                      <Badge
                        tone={delivery.status === 'delivered' ? 'ok' : delivery.status === 'failed' ? 'bad' : 'info'}
                      >
                        {delivery.status}
                      </Badge>
                    </td>
                    <td className="num">{delivery.attempts}</td>
                    <td className="wrap">{delivery.lastError ?? delivery.lastResponseStatus ?? ''}</td>
                    <td>
                      <When at={delivery.createdAt} />
                    </td>
                    <td className="right">
                      {delivery.status === 'failed' && (
                        <Button kind="secondary" onClick={() => void retry.run(delivery.id)} pending={retry.pending}>
                          Retry<span className="visually-hidden"> {delivery.eventType}</span>
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
      <Replay base={base} onReplayed={deliveries.reload} />
    </>
  );
}

function Replay({ base, onReplayed }: { base: string; onReplayed: () => Promise<void> }) {
  const { api } = useConsole();
  const [since, setSince] = useState(() => localInputValue(new Date(Date.now() - 3600_000)));
  const [types, setTypes] = useState('');
  const [result, setResult] = useState<string>();
  const replay = useAction(async () => {
    const typeList = types.split(/[\s,]+/).filter((t) => t !== '');
    const body = await api.post<{ replayed: number }>(`${base}/replay`, {
      since: new Date(since).toISOString(),
      ...(typeList.length > 0 ? { types: typeList } : {}),
    });
    setResult(`${body.replayed} deliver${body.replayed === 1 ? 'y' : 'ies'} queued again.`);
    await onReplayed();
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setResult(undefined);
    void replay.run();
  };
  return (
    <Card title="Replay events" id="replay">
      <p>Deliver the events since a moment again, with their original ids (receivers de-duplicate by id).</p>
      <form className="inline-form" onSubmit={onSubmit}>
        <Field label="Since (your local time)" type="datetime-local" value={since} onChange={setSince} required />
        <Field label="Event types (optional)" value={types} onChange={setTypes} placeholder="user.*, group.created" />
        <Button type="submit" kind="secondary" pending={replay.pending}>
          Replay
        </Button>
      </form>
      <ErrorNote error={replay.error} />
      {result && <Note tone="ok">{result}</Note>}
    </Card>
  );
}

/** A date as a datetime-local input shows it: the reader's local time, to the minute. */
function localInputValue(date: Date): string {
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
