import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '@app/config';

/**
 * No Docker engine runs here, so docker-compose.yml is checked as far as a file can be: the services it must run,
 * an API environment the service accepts, and nginx wired to deploy/nginx.conf with upstreams that are exactly the
 * API replicas.
 */
interface ComposeService {
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const ROOT = process.cwd();
const compose = parse(readFileSync(resolve(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const apis = Object.keys(services).filter((name) => /^api\d+$/.test(name));

/** What compose does with `${NAME:-default}`, nested ones too, given the shell's variables (none by default). */
function withDefaults(value: string, shell: Record<string, string> = {}): string {
  let text = String(value);
  for (let before = ''; before !== text;) {
    before = text;
    text = text.replace(/\$\{([A-Z_]+):-([^${}]*)\}/g, (_, name: string, fallback: string) => shell[name] || fallback);
  }
  return text;
}

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, Redis, three API replicas and nginx', () => {
    expect(Object.keys(services).sort()).toEqual(['api1', 'api2', 'api3', 'db', 'nginx', 'redis']);
    expect(services.db.image).toMatch(/^postgres:/);
    expect(services.redis.image).toMatch(/^redis:/);
    expect(services.nginx.image).toMatch(/^nginx:/);
  });

  it.each(apis)('gives %s an environment the service accepts, on the compose database and Redis, behind one proxy', (name) => {
    const service = services[name];
    expect(service.build).toBe('.');
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, withDefaults(value)]));
    let config;
    try {
      config = loadConfig(env);
    } catch (error) {
      throw new Error(`the service refuses compose's environment: ${error instanceof ConfigError ? error.message : error}`);
    }
    expect(new URL(config.databaseUrl!).hostname).toBe('db');
    expect(new URL(config.redisUrl!).hostname).toBe('redis');
    expect(env.TRUST_PROXY).toBe('1');
    expect(service.depends_on).toMatchObject({ db: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    // Only nginx is published; a replica reached directly would bypass the balancing and TRUST_PROXY's premise.
    expect(service.ports).toBeUndefined();
    expect(service.expose).toEqual([env.PORT]);
  });

  it('gives the replicas one configuration (one JWT secret source, one data volume)', () => {
    const [first, ...others] = apis.map((name) => services[name]);
    for (const other of others) {
      expect(other.environment).toEqual(first.environment);
      expect(other.volumes).toEqual(first.volumes);
    }
  });

  it('runs nginx on deploy/nginx.conf, its upstreams being exactly the API replicas', () => {
    const nginx = services.nginx;
    const mounts = new Map((nginx.volumes ?? []).map((volume) => volume.split(':')).map(([from, to]) => [to, from]));
    const configPath = nginx.command![nginx.command!.indexOf('-c') + 1];
    expect(mounts.get(configPath)).toBe('./deploy/nginx.conf');
    expect(nginx.command).toContain('-p');
    const conf = readFileSync(resolve(ROOT, 'deploy/nginx.conf'), 'utf8');
    // The upstream list is included from beside the config file.
    const include = /include (\S+);/.exec(conf)![1];
    expect(mounts.get(`${configPath.replace(/[^/]+$/, '')}${include}`)).toBe(`./deploy/${include}`);
    const upstreams = readFileSync(resolve(ROOT, 'deploy', include), 'utf8');
    const servers = [...upstreams.matchAll(/^\s*server (\S+?):(\d+)/gm)].map((match) => `${match[1]}:${match[2]}`);
    expect(servers.sort()).toEqual(apis.map((name) => `${name}:${services[name].environment!.PORT}`).sort());
    expect(conf).toContain('proxy_pass http://qr_login_api;');
    expect(upstreams).toContain('upstream qr_login_api {');
    // The published port leads to the port nginx listens on.
    const listen = /listen (\d+);/.exec(conf)![1];
    expect(nginx.ports!.map((port) => withDefaults(port).split(':').pop())).toEqual([listen]);
    for (const name of apis) expect(nginx.depends_on?.[name]).toEqual({ condition: 'service_healthy' });
  });

  it.each<Record<string, string>>([{}, { HTTP_PORT: '8443' }])('publishes PUBLIC_URL on the port nginx is published on (shell: %j)', (shell) => {
    const publicUrl = new URL(withDefaults(services.api1.environment!.PUBLIC_URL, shell));
    expect(publicUrl.port).toBe(withDefaults(services.nginx.ports![0], shell).split(':')[0]);
  });
});
