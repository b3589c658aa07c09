import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { AdapterRegistry } from '../channel/contract.ts';
import { ConfigError, type ConfigProblem } from '../errors.ts';
import { validateChannels } from './channels.ts';
import { type Checked, crossCheck, type FlowChecker } from './cross-checks.ts';
import type { Env } from './env-refs.ts';
import { loadFlowFiles } from './flow-files.ts';
import { readPolicies } from './policy-load.ts';
import { noPolicies } from './policy-schema.ts';
import { checkChannelRoutes, checkLookups, configFacts, oncallWarnings } from './route-checks.ts';
import { configFiles } from './schema.ts';
import { withSuggestion } from './suggest.ts';
import type { Settings } from './types.ts';
import { readYamlFile, validateYaml, type YamlFile } from './yaml-file.ts';
import { parseYaml, toData } from './yaml-source.ts';

export interface LoadOptions {
  configDir: string;
  flowsDir: string;
  adapters: AdapterRegistry;
  /** Where `${NAME}` references are read from (process.env in production). */
  env: Env;
  /** The flow language's checks of flows against templates and intents (src/cli/load-config.ts gives them). */
  checkFlows: FlowChecker;
}

type ConfigName = keyof typeof configFiles;

/** Files that must exist; every other file falls back to its defaults when absent. */
const REQUIRED: ReadonlySet<ConfigName> = new Set(['business.yaml']);

/** The admin token, when router.yaml does not set one. */
export const ADMIN_TOKEN_ENV = 'TOUCHPOINT_ADMIN_TOKEN';

/**
 * Reads and validates config/*.yaml (the policy files too) and flows/*.yaml. Collects every problem
 * (YAML syntax, schema, missing environment variables, references between
 * files) and throws them together as one ConfigError.
 */
export function loadSettings(opts: LoadOptions): Settings {
  const { configDir, flowsDir, adapters, env } = opts;
  const problems: ConfigProblem[] = [];
  problems.push(...checkConfigDir(configDir));

  const load = <T>(name: ConfigName, schema: z.ZodType<T>) => {
    const checked = loadConfigFile(configDir, name, schema, env);
    problems.push(...checked.problems);
    return checked;
  };
  const business = load('business.yaml', configFiles['business.yaml']);
  const templates = load('templates.yaml', configFiles['templates.yaml']);
  const intents = load('intents.yaml', configFiles['intents.yaml']);
  const router = load('router.yaml', configFiles['router.yaml']);
  const contacts = load('contacts.yaml', configFiles['contacts.yaml']);
  const retention = load('retention.yaml', configFiles['retention.yaml']);

  const channelsYaml = readConfigYaml(configDir, 'channels.yaml', env, problems);
  const channels = validateChannels(channelsYaml, adapters);
  problems.push(...channels.problems);

  const flows = loadFlowFiles(flowsDir, env);
  problems.push(...flows.problems);
  problems.push(
    ...crossCheck({ configDir, business, templates, intents, flows: flows.flows, checkFlows: opts.checkFlows }),
  );
  // The policy files (triage, handoff, SLA, on-call, knowledge) are checked against the templates just loaded.
  const policies = templates.value
    ? readPolicies({ configDir, env, templates: templates.value.templates })
    : { policies: noPolicies(), problems: [] };
  problems.push(...policies.problems);
  const facts = configFacts(intents.value?.intents ?? null, flows.flows, channels.channels);
  problems.push(...checkChannelRoutes(channelsYaml, adapters, channels.channels, facts), ...checkLookups(flows.flows));
  const warnings =
    policies.problems.length === 0 ? oncallWarnings(configDir, env, policies.policies, channels.channels) : [];

  const envToken = env[ADMIN_TOKEN_ENV] || undefined;
  const adminToken = router.value?.server.adminToken ?? envToken;
  if (router.value && !router.value.server.adminToken && envToken !== undefined && envToken.length < 16) {
    problems.push({
      file: `environment variable ${ADMIN_TOKEN_ENV}`,
      line: null,
      path: 'server.adminToken',
      message: 'the admin token is too short (at least 16 characters)',
      fix: 'use a long random value, e.g. the output of `openssl rand -hex 24`',
    });
  }

  if (
    problems.length > 0 ||
    !business.value ||
    !templates.value ||
    !intents.value ||
    !router.value ||
    !contacts.value ||
    !retention.value
  ) {
    throw new ConfigError(dedupe(problems));
  }
  return {
    configDir,
    flowsDir,
    business: business.value,
    channels: channels.channels,
    templates: templates.value.templates,
    intents: intents.value.intents,
    router: { ...router.value, server: { ...router.value.server, adminToken } },
    flows: flows.flows.map((f) => f.flow),
    contacts: contacts.value,
    retention: retention.value.retention,
    policies: policies.policies,
    warnings,
  };
}

function loadConfigFile<T>(
  configDir: string,
  name: ConfigName,
  schema: z.ZodType<T>,
  env: Env,
): Checked<T> & { problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const yaml = readConfigYaml(configDir, name, env, problems);
  problems.push(...yaml.envProblems.map((p) => p.problem));
  const result = validateYaml(yaml, schema);
  problems.push(...result.problems);
  return { yaml, value: result.value, problems };
}

/** Reads one config file; an absent optional file reads as empty, so its defaults apply. */
function readConfigYaml(configDir: string, name: ConfigName, env: Env, problems: ConfigProblem[]): YamlFile {
  const file = join(configDir, name);
  if (!existsSync(file)) {
    if (REQUIRED.has(name)) {
      problems.push({ file, line: null, message: 'this file is required but missing', fix: `create ${file}` });
      return { file, source: null, data: null, fromEnv: new Set(), envProblems: [] };
    }
    return emptyYaml(file);
  }
  const read = readYamlFile(file, env);
  problems.push(...read.problems);
  return read.yaml;
}

/** An absent optional file reads as an empty document, so every default applies. */
function emptyYaml(file: string): YamlFile {
  const { source } = parseYaml(file, '');
  return { file, source, data: toData(source), fromEnv: new Set(), envProblems: [] };
}

function checkConfigDir(configDir: string): ConfigProblem[] {
  if (!existsSync(configDir) || !statSync(configDir).isDirectory()) {
    return [
      {
        file: configDir,
        line: null,
        message: 'the config folder does not exist',
        fix: 'create it, or pass --config DIR',
      },
    ];
  }
  const known = Object.keys(configFiles);
  return readdirSync(configDir)
    .filter((n) => /\.ya?ml$/.test(n) && !known.includes(n))
    .sort()
    .map((n) => ({
      file: join(configDir, n),
      line: null,
      message: 'unknown config file',
      fix: withSuggestion(n, known, `rename it to one of ${known.join(', ')}, or move it out of ${configDir}`),
    }));
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}:${p.line}:${p.column}:${p.path}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
