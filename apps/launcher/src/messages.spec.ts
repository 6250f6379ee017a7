import { redisLocation } from '@app/platform/redis/redis-topology';
import { readyBanner, waitingFor } from './messages';

const config = {
  scimPublicUrl: 'http://localhost:3000',
  publicUrl: 'http://localhost:3001',
  dataDir: '/srv/gw/.data',
  ports: { scim: 3000, oidc: 3001, worker: 3002 },
};

describe('readyBanner', () => {
  it('shows an admin token generated on this start, and where it is kept', () => {
    const banner = readyBanner(
      config,
      { embedded: true, generatedAdminToken: 'gwa_new', adminTokenFromEnvironment: false },
      6543,
    );
    expect(banner).toContain('identity gateway ready in 6.5 s');
    expect(banner).toContain('  SCIM base URL   http://localhost:3000/scim/v2');
    expect(banner).toContain('  admin token     gwa_new\n');
    expect(banner).toContain('kept in /srv/gw/.data/admin-token');
    expect(banner).toContain('embedded PostgreSQL under /srv/gw/.data/postgres');
    expect(banner.trimEnd().endsWith('Ctrl-C stops the gateway.')).toBe(true);
  });

  it('never shows a token it did not generate', () => {
    const kept = readyBanner(
      config,
      { embedded: false, generatedAdminToken: undefined, adminTokenFromEnvironment: false },
      1000,
    );
    expect(kept).toContain('  admin token     kept in /srv/gw/.data/admin-token');
    expect(kept).toContain('  database        DATABASE_URL');
    const set = readyBanner(
      config,
      { embedded: false, generatedAdminToken: undefined, adminTokenFromEnvironment: true },
      1000,
    );
    expect(set).toContain('  admin token     the ADMIN_TOKEN you set');
  });
});

describe('waitingFor', () => {
  it('names REDIS_URL and how to start Redis', () => {
    const line = waitingFor('redis', redisLocation({ redisUrl: 'redis://:secret@127.0.0.1:6379' }));
    expect(line).toContain('nothing answers at redis://:***@127.0.0.1:6379 (REDIS_URL)');
    expect(line).toContain('redis-server');
    expect(line).not.toContain('secret');
    expect(line).not.toContain('\n');
  });

  it('names the cluster nodes, not REDIS_URL, in cluster mode', () => {
    const line = waitingFor(
      'redis',
      redisLocation({
        redisUrl: 'redis://127.0.0.1:6379',
        redisCluster: { nodes: [{ host: '10.0.0.1', port: 7000 }] },
      }),
    );
    expect(line).toContain('nothing answers at 10.0.0.1:7000 (REDIS_CLUSTER_NODES)');
    expect(line).not.toContain('REDIS_URL');
  });

  it('names DATABASE_URL for PostgreSQL', () => {
    expect(waitingFor('postgres', 'redis://127.0.0.1:6379 (REDIS_URL)')).toContain('DATABASE_URL');
  });
});
