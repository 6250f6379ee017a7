import { Card, PageTitle } from '../ui/ui';
import { usePortal } from './portal-context';

/** The setup guide with this tenant's values, to keep or to hand to a colleague. */
export function GuideStep() {
  const { base, tenant } = usePortal();
  const guide = (idp: string, format: string) => `${base}/setup-guide?idp=${idp}&format=${format}`;
  return (
    <>
      <PageTitle sub={`Every value ${tenant.name}'s identity provider needs, in order, for whoever does the setup.`}>
        Setup guide
      </PageTitle>
      <div className="grid-2">
        {[
          { idp: 'okta', name: 'Okta' },
          { idp: 'entra', name: 'Microsoft Entra ID' },
        ].map(({ idp, name }) => (
          <Card key={idp} title={name} id={`guide-${idp}`}>
            <p>Step-by-step instructions for {name}, with your URLs filled in.</p>
            <div className="actions">
              <a className="button primary" href={guide(idp, 'html')} target="_blank" rel="noopener">
                Printable page<span className="visually-hidden"> for {name} (opens in a new tab)</span>
              </a>
              <a className="button secondary" href={guide(idp, 'markdown')} download={`setup-${tenant.slug}-${idp}.md`}>
                Download Markdown<span className="visually-hidden"> for {name}</span>
              </a>
            </div>
          </Card>
        ))}
      </div>
    </>
  );
}
