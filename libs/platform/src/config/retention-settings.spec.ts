import { ConfigError } from './app-config';
import { loadConfig } from './load-config';

describe('retention of the audit log and the SCIM request log', () => {
  it('keeps audit entries a year and SCIM requests and refused sign-ins 30 days by default', () => {
    expect(loadConfig({})).toMatchObject({ auditRetentionDays: 365, scimRequestLogRetentionDays: 30 });
  });

  it('reads both settings', () => {
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '2555', SCIM_REQUEST_LOG_RETENTION_DAYS: '7' })).toMatchObject({
      auditRetentionDays: 2555,
      scimRequestLogRetentionDays: 7,
    });
  });

  it.each([
    ['AUDIT_RETENTION_DAYS', '0'],
    ['AUDIT_RETENTION_DAYS', '3651'],
    ['AUDIT_RETENTION_DAYS', 'forever'],
    ['SCIM_REQUEST_LOG_RETENTION_DAYS', '0'],
    ['SCIM_REQUEST_LOG_RETENTION_DAYS', '1.5'],
    ['SCIM_REQUEST_LOG_RETENTION_DAYS', 'a month'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: must be`));
  });
});
