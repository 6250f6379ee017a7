import { useLoad } from '../hooks';
import { Group, GroupRoleRule } from '../types';
import { Card, Empty, ErrorNote, Loading, PageTitle } from '../ui/ui';
import { usePortal } from './portal-context';
import { RulesEditor } from './rules-editor';

/** Roles: the groups pushed so far, and the rules that turn them into roles. */
export function RolesStep() {
  const { api, base, learn } = usePortal();
  const groups = useLoad(() => api.get<{ data: Group[] }>(`${base}/groups?limit=200`).then((b) => b.data), [base]);
  const rules = useLoad(() => api.get<{ rules: GroupRoleRule[] }>(`${base}/group-roles`).then((b) => b.rules), [base]);

  return (
    <>
      <PageTitle sub="Members of a group get its roles when they sign in. Preview who gains or loses a role before saving.">
        Map groups to roles
      </PageTitle>
      <div className="grid-sidebar">
        <Card title="Groups from your identity provider" id="groups">
          <ErrorNote error={groups.error} />
          {groups.loading && !groups.data ? (
            <Loading />
          ) : groups.data?.length === 0 ? (
            <Empty>No group pushed yet. In Okta, use Push Groups on the app.</Empty>
          ) : (
            <ul className="list" id="group-list">
              {groups.data?.map((group) => (
                <li key={group.id} className="split">
                  <span>{group.displayName}</span>
                  <span className="muted">
                    {group.memberCount} member{group.memberCount === 1 ? '' : 's'}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Rules" id="rules">
          <ErrorNote error={rules.error} />
          {rules.data ? (
            <RulesEditor
              api={api}
              base={base}
              rules={rules.data}
              groups={groups.data ?? []}
              onSaved={(saved) => learn({ rulesSaved: saved.length })}
            />
          ) : (
            !rules.error && <Loading />
          )}
        </Card>
      </div>
    </>
  );
}
