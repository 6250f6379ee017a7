import { checklistSteps, progress } from './checklist';

describe('the setup checklist', () => {
  it('shows only the steps of the scopes the session holds, in the order of the setup', () => {
    const steps = checklistSteps(['logs', 'scim', 'domains'], {});
    expect(steps.map((step) => step.scope)).toEqual(['domains', 'scim', 'logs']);
  });

  it('says "checking" until the APIs have answered', () => {
    const steps = checklistSteps(['domains', 'oidc', 'scim', 'roles'], {});
    expect(steps.map((step) => step.state)).toEqual(['unknown', 'unknown', 'unknown', 'unknown']);
  });

  it('marks a step done only on what the APIs prove', () => {
    const steps = checklistSteps(['domains', 'oidc', 'scim', 'roles', 'logs'], {
      verifiedDomains: 1,
      oidcConfigured: true,
      testSignInSucceeded: false,
      scimConnected: true,
      usersPushed: 37,
      rulesSaved: 0,
    });
    expect(steps.map((step) => [step.scope, step.state, step.status])).toEqual([
      ['domains', 'done', '1 domain verified'],
      ['oidc', 'progress', 'Connected: run a test sign-in'],
      ['scim', 'done', 'Connected, 37 users pushed'],
      ['roles', 'todo', 'No rules saved yet'],
      ['logs', 'info', 'Requests from your IdP and refused sign-ins'],
    ]);
    // Activity is information, not a step to finish.
    expect(progress(steps)).toEqual({ done: 2, total: 4 });
  });

  it('needs a successful test sign-in, not only a saved connection, for single sign-on', () => {
    const [connected] = checklistSteps(['oidc'], { oidcConfigured: true });
    expect(connected.state).toBe('progress');
    const [tested] = checklistSteps(['oidc'], { oidcConfigured: true, testSignInSucceeded: true });
    expect(tested.state).toBe('done');
    const [none] = checklistSteps(['oidc'], { oidcConfigured: false });
    expect(none).toMatchObject({ state: 'todo', status: 'Not connected yet' });
  });
});
