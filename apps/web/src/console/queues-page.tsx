import { useState } from 'react';
import { useLoad, usePolling } from '../hooks';
import { QueueHealth } from '../types';
import { Badge, Card, Empty, ErrorNote, Loading, PageTitle } from '../ui/ui';
import { useConsole } from './console-context';

/** The delivery queues' counts, refreshed every 5 s; the job-level board stays at /admin/queues. */
export function QueuesPage() {
  const { api } = useConsole();
  const [queues, setQueues] = useState<QueueHealth[]>();
  const first = useLoad(() => api.get<{ queues: QueueHealth[] }>('/admin/v1/queues').then((b) => b.queues), []);
  usePolling(
    async () => setQueues((await api.get<{ queues: QueueHealth[] }>('/admin/v1/queues')).queues),
    5000,
    first.data !== undefined,
  );
  const shown = queues ?? first.data;
  return (
    <>
      <PageTitle sub="Jobs of the event fan-out and delivery, refreshed every 5 seconds.">Queues</PageTitle>
      <Card>
        <ErrorNote error={first.error} />
        {!shown && !first.error && <Loading />}
        {shown?.length === 0 && <Empty>No queue.</Empty>}
        {shown && shown.length > 0 && (
          <div className="table-wrap">
            <table className="table" id="queues-table">
              <caption className="visually-hidden">Queue counts</caption>
              <thead>
                <tr>
                  <th scope="col">Queue</th>
                  <th scope="col" className="num">
                    Waiting
                  </th>
                  <th scope="col" className="num">
                    Active
                  </th>
                  <th scope="col" className="num">
                    Delayed
                  </th>
                  <th scope="col" className="num">
                    Failed
                  </th>
                  <th scope="col" className="num">
                    Completed
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((queue) => (
                  <tr key={queue.name}>
                    <th scope="row" className="mono">
                      {queue.name}
                    </th>
                    <td className="num">{queue.waiting}</td>
                    <td className="num">{queue.active}</td>
                    <td className="num">{queue.delayed}</td>
                    <td className="num">{queue.failed > 0 ? <Badge tone="bad">{queue.failed}</Badge> : 0}</td>
                    <td className="num">{queue.completed}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="hint">
          Single jobs can be inspected on the <a href="/admin/queues">queue board</a> (admin token required).
        </p>
      </Card>
    </>
  );
}
