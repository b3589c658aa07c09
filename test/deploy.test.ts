import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

interface Service {
  profiles?: string[];
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, unknown>;
  healthcheck?: unknown;
}

describe('deploying with Docker (no daemon here: the files are checked, not built)', () => {
  const compose = parse(read('compose.yaml')) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
  const readme = read('README.md');

  it('runs one router on SQLite, or N routers on PostgreSQL and Redis, as the README says', () => {
    const { router, 'router-pg': scaled, postgres, redis } = compose.services;
    expect(router?.profiles).toEqual(['sqlite']);
    expect(router?.volumes).toContain('touchpoint-data:/data');
    expect(scaled?.profiles).toEqual(['scale']);
    expect(scaled?.environment?.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(scaled?.environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(Object.keys(scaled?.depends_on ?? {}).sort()).toEqual(['postgres', 'redis']);
    expect(postgres?.healthcheck && redis?.healthcheck).toBeTruthy();
    for (const s of Object.values(compose.services)) {
      for (const v of s.volumes ?? []) {
        const name = v.split(':')[0] ?? '';
        if (!name.startsWith('.')) expect(Object.keys(compose.volumes), v).toContain(name);
      }
    }
    expect(readme).toContain('docker compose --profile sqlite up');
    expect(readme).toContain('docker compose --profile scale up --scale router-pg=3');
  });

  it('builds in two stages and runs as a user other than root, with a health check on /readyz', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/readyz/m);
    expect(dockerfile).toMatch(/TOUCHPOINT_HOST=0\.0\.0\.0/);
  });
});
