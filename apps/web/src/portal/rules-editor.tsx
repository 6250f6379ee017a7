import { useEffect, useId, useState } from 'react';
import { Api } from '../api';
import { useAction } from '../hooks';
import { Group, GroupRoleRule, RulesPreview } from '../types';
import { Button, Empty, ErrorNote, Note } from '../ui/ui';
import { toRules } from './rules';

interface Row {
  key: number;
  group: string;
  roles: string;
}

let nextKey = 1;
const toRows = (rules: GroupRoleRule[]): Row[] =>
  rules.map((rule) => ({ key: nextKey++, group: rule.group, roles: rule.roles.join(', ') }));

/**
 * Group → role rules with a dry-run before saving: the preview shows who gains
 * and loses which role, and Save is offered only for the rules just previewed.
 * Shared by the portal's Roles step and the console's tenant page.
 */
export function RulesEditor({
  api,
  base,
  rules,
  groups,
  onSaved,
}: {
  api: Api;
  base: string;
  rules: GroupRoleRule[];
  groups: Group[];
  onSaved: (rules: GroupRoleRule[]) => void;
}) {
  const [rows, setRows] = useState<Row[]>(() => toRows(rules));
  const [preview, setPreview] = useState<{ for: string; result: RulesPreview }>();
  const [saved, setSaved] = useState(false);
  const listId = useId();
  useEffect(() => setRows(toRows(rules)), [rules]);
  const current = JSON.stringify(toRules(rows));
  const previewed = preview?.for === current;

  const runPreview = useAction(async () => {
    setSaved(false);
    const result = await api.post<RulesPreview>(`${base}/group-roles/preview`, { rules: toRules(rows) });
    setPreview({ for: current, result });
  });
  const save = useAction(async () => {
    const body = await api.put<{ rules: GroupRoleRule[] }>(`${base}/group-roles`, { rules: toRules(rows) });
    setSaved(true);
    setPreview(undefined);
    onSaved(body.rules);
  });
  const update = (key: number, change: Partial<Row>) =>
    setRows((all) => all.map((row) => (row.key === key ? { ...row, ...change } : row)));

  return (
    <div className="rules">
      <datalist id={listId}>
        {groups.map((group) => (
          <option key={group.id} value={group.displayName} />
        ))}
      </datalist>
      {rows.length === 0 && <Empty>No rule yet: add one for a group your identity provider pushed.</Empty>}
      <ol className="rule-rows">
        {rows.map((row, index) => (
          <li key={row.key} className="rule-row">
            <div className="field">
              <label htmlFor={`rule-group-${row.key}`}>Group {rows.length > 1 ? index + 1 : ''}</label>
              <input
                id={`rule-group-${row.key}`}
                list={listId}
                value={row.group}
                autoComplete="off"
                onChange={(e) => update(row.key, { group: e.currentTarget.value })}
              />
            </div>
            <span className="rule-arrow" aria-hidden="true">
              →
            </span>
            <div className="field">
              <label htmlFor={`rule-roles-${row.key}`}>Roles</label>
              <input
                id={`rule-roles-${row.key}`}
                aria-describedby={`${listId}-roles-hint`}
                value={row.roles}
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => update(row.key, { roles: e.currentTarget.value })}
              />
            </div>
            <Button kind="link" onClick={() => setRows((all) => all.filter((other) => other.key !== row.key))}>
              Remove<span className="visually-hidden"> rule {index + 1}</span>
            </Button>
          </li>
        ))}
      </ol>
      {rows.length > 0 && (
        <p className="hint" id={`${listId}-roles-hint`}>
          Separate several roles with commas, e.g. <code>editor, billing</code>.
        </p>
      )}
      <div className="actions">
        <Button
          kind="secondary"
          id="add-rule"
          onClick={() => setRows((all) => [...all, { key: nextKey++, group: '', roles: '' }])}
        >
          Add a rule
        </Button>
        <Button kind="secondary" id="preview-rules" onClick={() => void runPreview.run()} pending={runPreview.pending}>
          Preview changes
        </Button>
        <Button id="save-rules" onClick={() => void save.run()} pending={save.pending} disabled={!previewed}>
          Save rules
        </Button>
      </div>
      {!previewed && !saved && <p className="hint">Preview the effect of your rules before saving them.</p>}
      <ErrorNote error={runPreview.error ?? save.error} />
      {saved && <Note tone="ok">Rules saved. They apply at each user's next sign-in.</Note>}
      {previewed && preview && <PreviewResult preview={preview.result} />}
    </div>
  );
}

function PreviewResult({ preview }: { preview: RulesPreview }) {
  const changes = preview.summary.filter((line) => line.gain > 0 || line.lose > 0);
  return (
    <div className="preview" id="rules-preview" aria-live="polite">
      <h3>If you save these rules</h3>
      {changes.length === 0 ? (
        <p>No user gains or loses a role.</p>
      ) : (
        <ul className="summary-list">
          {changes.map((line) => (
            <li key={line.role}>
              {line.gain > 0 && (
                <span className="gain">
                  {line.gain} user{line.gain === 1 ? '' : 's'} gain <strong>{line.role}</strong>
                </span>
              )}
              {line.gain > 0 && line.lose > 0 && ', '}
              {line.lose > 0 && (
                <span className="lose">
                  {line.lose} user{line.lose === 1 ? '' : 's'} lose <strong>{line.role}</strong>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {preview.users.length > 0 && (
        <details>
          <summary>Show the {preview.users.length} users affected</summary>
          <ul className="list">
            {preview.users.map((user) => (
              <li key={user.id}>
                <span className="mono">{user.userName}</span>
                {user.gains.length > 0 && <span className="gain"> + {user.gains.join(', ')}</span>}
                {user.loses.length > 0 && <span className="lose"> − {user.loses.join(', ')}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
