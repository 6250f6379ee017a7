import { linkHandler } from '../router';
import { Card, PageTitle } from '../ui/ui';
import { Step } from './checklist';
import { StepIcon } from './portal-app';
import { usePortal } from './portal-context';

const DESCRIPTIONS: Record<Step['scope'], string> = {
  domains: 'Prove you own your email domains with a DNS TXT record, so your people are sent to your sign-in.',
  oidc: 'Connect your identity provider (Okta, Microsoft Entra ID) for single sign-on and try it with a test sign-in.',
  scim: 'Give your identity provider a SCIM address and token so users and groups arrive on their own.',
  roles: 'Decide which of your groups grant which roles, and preview the effect before saving.',
  logs: 'See what your identity provider sent, and why a sign-in was refused.',
};

/** The portal's home: the steps with what each proves, in order. */
export function Overview({ steps }: { steps: Step[] }) {
  const { tenant, navigate } = usePortal();
  const next = steps.find((step) => step.state === 'todo' || step.state === 'progress');
  return (
    <>
      <PageTitle sub="Each step is checked by the gateway itself: a step turns green once it works, not when it is ticked.">
        Set up {tenant.name}
      </PageTitle>
      <Card>
        <ol className="overview-steps">
          {steps.map((step, index) => (
            <li key={step.scope} className="overview-step">
              <StepIcon state={step.state} />
              <div className="overview-text">
                <h2>
                  <span className="muted">{index + 1}.</span> {step.title}
                </h2>
                <p>{DESCRIPTIONS[step.scope]}</p>
                <p className={`step-status status-${step.state}`}>{step.status}</p>
              </div>
              <a
                className={`button ${step === next ? 'primary' : 'secondary'}`}
                href={step.path}
                onClick={linkHandler(navigate, step.path)}
              >
                {step.state === 'done' ? 'Review' : step === next ? 'Start' : 'Open'}
                <span className="visually-hidden"> {step.title}</span>
              </a>
            </li>
          ))}
        </ol>
      </Card>
    </>
  );
}
