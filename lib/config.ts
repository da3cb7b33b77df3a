/**
 * Configuration, read from the environment once per container and validated: a function with
 * a missing table name fails at start-up with a clear message instead of on the first request.
 */
import type { ContactValueMode } from './events/change';
import { TABLE_KEYS, TABLES, type TableNames } from './tables';

/** What a function that touches storage needs: read by getConfig() on first use. */
export interface Config {
  tables: TableNames;
  region: string;
  /** Set for DynamoDB Local or any other endpoint; unset in AWS. */
  endpoint: string | undefined;
  /** How many contact ids one instance reserves with one counter write. */
  idBlockSize: number;
  /** EVENT_CONTACT_VALUES: change events carry emails and phones hashed (default) or in clear. */
  eventContactValues: ContactValueMode;
}

/** What every HTTP function needs, storage or not (health has no tables): read at start-up. */
export interface HttpSettings {
  /** Largest request body accepted, in bytes; larger bodies get 413 without being parsed. */
  maxBodyBytes: number;
  logLevel: LogLevel;
  /** Share of invocations logged at debug level (POWERTOOLS_LOGGER_SAMPLE_RATE, 0 to 1). */
  logSampleRate: number;
  /** Time budget of a request when the platform gives none (the local server). */
  requestTimeoutMs: number;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'critical' | 'silent';

export class ConfigError extends Error {
  constructor(problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'critical', 'silent'];
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024;

/** Reads an optional integer variable, reporting a value out of range. */
function intFrom(env: NodeJS.ProcessEnv, problems: string[]) {
  return (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
}

export function loadHttpSettings(env: NodeJS.ProcessEnv = process.env): HttpSettings {
  const problems: string[] = [];
  const int = intFrom(env, problems);
  // Powertools' own variable wins over the older LOG_LEVEL, as in Powertools itself.
  const logLevel = (env.POWERTOOLS_LOG_LEVEL || env.LOG_LEVEL || 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`POWERTOOLS_LOG_LEVEL / LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const logSampleRate = Number(env.POWERTOOLS_LOGGER_SAMPLE_RATE || 0);
  if (!(logSampleRate >= 0 && logSampleRate <= 1)) problems.push('POWERTOOLS_LOGGER_SAMPLE_RATE must be a number from 0 to 1');
  const settings: HttpSettings = {
    maxBodyBytes: int('MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 256, 1024 * 1024),
    logLevel,
    logSampleRate,
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS', 10_000, 1_000, 900_000),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const int = intFrom(env, problems);

  const tables = {} as TableNames;
  for (const key of TABLE_KEYS) {
    const name = env[TABLES[key].envVar];
    if (!name) problems.push(`${TABLES[key].envVar} is not set`);
    tables[key] = name ?? '';
  }

  const endpoint = env.DYNAMODB_ENDPOINT || undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    problems.push('DYNAMODB_ENDPOINT must be an http(s) URL');
  }

  const eventContactValues = (env.EVENT_CONTACT_VALUES || 'hashed') as ContactValueMode;
  if (eventContactValues !== 'hashed' && eventContactValues !== 'clear') {
    problems.push('EVENT_CONTACT_VALUES must be "hashed" or "clear"');
  }

  const config: Config = {
    tables,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    endpoint,
    idBlockSize: int('ID_BLOCK_SIZE', 50, 1, 10_000),
    eventContactValues,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

let cached: Config | undefined;
let cachedHttp: HttpSettings | undefined;

/** The storage configuration of this container, read and validated on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

/** The HTTP settings of this container, read and validated once (a bad value fails start-up). */
export function httpSettings(): HttpSettings {
  cachedHttp ??= loadHttpSettings();
  return cachedHttp;
}
