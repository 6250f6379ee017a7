import { describeEvent, signatureVerifier } from './webhook-printer';

describe('webhook printer', () => {
  it('sums an event up in one line, then prints it whole', () => {
    const event = {
      id: 'e1',
      type: 'user.created',
      sequence: 1,
      tenant: { id: 't1', slug: 'acme' },
      subject: { type: 'user', id: 'u1' },
      data: { userName: 'alice@acme.test' },
    };
    const [line, ...rest] = describeEvent(event).split('\n');
    expect(line).toBe('user.created  tenant acme  user u1  sequence 1  id e1');
    expect(JSON.parse(rest.join('\n'))).toEqual(event);
  });

  it('prints what it can of a body that is not an event', () => {
    expect(describeEvent('text').split('\n')[0]).toBe('(no type)  tenant -  subject -  sequence -  id -');
    expect(describeEvent({ type: { nested: true } }).split('\n')[0]).toBe(
      '(no type)  tenant -  subject -  sequence -  id -',
    );
  });

  it('accepts only a whsec_ secret', () => {
    expect(() => signatureVerifier('hunter2')).toThrow('whsec_');
    expect(() => signatureVerifier(`whsec_${Buffer.alloc(32, 1).toString('base64')}`)).not.toThrow();
  });
});
