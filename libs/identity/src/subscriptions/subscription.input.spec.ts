import { createSubscriptionInput, updateSubscriptionInput } from './subscription.input';

describe('subscription input', () => {
  it('reads a webhook subscription', () => {
    expect(
      createSubscriptionInput.parse({
        name: ' CRM ',
        url: 'https://crm.example/h',
        events: ['user.*', 'user.*'],
        tenant: 'acme',
      }),
    ).toEqual({
      kind: 'webhook',
      name: 'CRM',
      url: 'https://crm.example/h',
      events: ['user.*'],
      tenant: 'acme',
    });
  });

  it('reads a queue subscription for every tenant', () => {
    expect(
      createSubscriptionInput.parse({ name: 'sessions', queue: 'oidc.sessions_v1', events: ['user.deactivated'] }),
    ).toEqual({
      kind: 'queue',
      name: 'sessions',
      queue: 'oidc.sessions_v1',
      events: ['user.deactivated'],
    });
  });

  it.each([
    { name: 'x', url: 'https://a.example', queue: 'q', events: ['*'] },
    { name: 'x', events: ['*'] },
    { name: 'x', url: 'file:///etc/passwd', events: ['*'] },
    { name: 'x', queue: 'bull:q', events: ['*'] },
    { name: 'x', queue: 'Gateway-Fan-Out', events: ['*'] },
    { name: 'x', queue: '-leading-dash', events: ['*'] },
    { name: 'x', url: 'https://a.example', events: ['user.signed_up'] },
  ])('refuses %j', (input) => {
    expect(createSubscriptionInput.safeParse(input).success).toBe(false);
  });

  it('takes a partial change, and null as "every tenant"', () => {
    expect(updateSubscriptionInput.parse({ tenant: null })).toEqual({ tenant: null });
    expect(updateSubscriptionInput.safeParse({}).success).toBe(false);
  });
});
