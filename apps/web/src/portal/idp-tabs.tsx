import { KeyboardEvent } from 'react';

export type Idp = 'okta' | 'entra';
const IDPS: { id: Idp; label: string }[] = [
  { id: 'okta', label: 'Okta' },
  { id: 'entra', label: 'Microsoft Entra ID' },
];

/** ARIA tabs: arrow keys move between them, as a screen-reader user expects. */
export function IdpTabs({ value, onChange }: { value: Idp; onChange: (idp: Idp) => void }) {
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const index = IDPS.findIndex((idp) => idp.id === value);
    const next = IDPS[(index + (event.key === 'ArrowRight' ? 1 : IDPS.length - 1)) % IDPS.length];
    onChange(next.id);
    document.getElementById(`idp-tab-${next.id}`)?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label="Identity provider">
      {IDPS.map((idp) => (
        <button
          key={idp.id}
          id={`idp-tab-${idp.id}`}
          type="button"
          role="tab"
          aria-selected={value === idp.id}
          aria-controls={`idp-panel-${idp.id}`}
          tabIndex={value === idp.id ? 0 : -1}
          className={`tab${value === idp.id ? ' active' : ''}`}
          onClick={() => onChange(idp.id)}
          onKeyDown={onKeyDown}
        >
          {idp.label}
        </button>
      ))}
    </div>
  );
}
