/**
 * Configuration, read from the environment once per container and validated: a function with
 * a missing table name fails at start-up with a clear message instead of on the first request.
 */
import { TABLE_KEYS, TABLES, type TableNames } from './tables';

export interface FaultConfig {
  /** Probability that a write is refused with a synthetic TransactionConflict before it is sent. */
  conflictRate: number;
  /** Probability that a successful write's response is dropped (the write stays committed). */
  lostResponseRate: number;
}

export interface Config {
  tables: TableNames;
  region: string;
  /** Set for DynamoDB Local or any other endpoint; unset in AWS. */
  endpoint: string | undefined;
  /** How many contact ids one instance reserves with one counter write. */
  idBlockSize: number;
  /** Largest request body accepted, in bytes; larger bodies get 413 without being parsed. */
  maxBodyBytes: number;
  /** Time budget of a request when the platform gives none (the local server). */
  requestTimeoutMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Fault injection for tests and the stress command; never set in a deployment. */
  faults: FaultConfig | null;
}

export class ConfigError extends Error {
  constructor(problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024;

/**
 * The settings every HTTP function needs, storage or not (health has no tables): the body limit
 * and the log level. Invalid values fall back to the defaults; loadConfig reports them.
 */
export function httpSettings(env: NodeJS.ProcessEnv = process.env): {
  maxBodyBytes: number;
  logLevel: Config['logLevel'];
} {
  const bytes = Number(env.MAX_BODY_BYTES);
  const level = (env.LOG_LEVEL ?? '').toLowerCase();
  return {
    maxBodyBytes: Number.isInteger(bytes) && bytes >= 256 && bytes <= 1024 * 1024 ? bytes : DEFAULT_MAX_BODY_BYTES,
    logLevel: (LOG_LEVELS as readonly string[]).includes(level) ? (level as Config['logLevel']) : 'info',
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];

  const tables = {} as TableNames;
  for (const key of TABLE_KEYS) {
    const name = env[TABLES[key].envVar];
    if (!name) problems.push(`${TABLES[key].envVar} is not set`);
    tables[key] = name ?? '';
  }

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };

  const logLevel = (env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }

  const endpoint = env.DYNAMODB_ENDPOINT || undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    problems.push('DYNAMODB_ENDPOINT must be an http(s) URL');
  }

  const faults = parseFaults(env.FAULT_INJECTION, problems);
  if (faults && env.AWS_LAMBDA_FUNCTION_NAME) {
    problems.push('FAULT_INJECTION is refused inside AWS Lambda');
  }

  const config: Config = {
    tables,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    endpoint,
    idBlockSize: int('ID_BLOCK_SIZE', 50, 1, 10_000),
    maxBodyBytes: int('MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 256, 1024 * 1024),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS', 10_000, 100, 900_000),
    logLevel: logLevel as Config['logLevel'],
    faults,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** FAULT_INJECTION="conflict=0.1,lost=0.05" */
function parseFaults(raw: string | undefined, problems: string[]): FaultConfig | null {
  if (!raw) return null;
  const faults: FaultConfig = { conflictRate: 0, lostResponseRate: 0 };
  for (const part of raw.split(',')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    const rate = Number(value);
    if (!(rate >= 0 && rate <= 1)) {
      problems.push(`FAULT_INJECTION: "${part}" needs a rate from 0 to 1`);
    } else if (key === 'conflict') {
      faults.conflictRate = rate;
    } else if (key === 'lost') {
      faults.lostResponseRate = rate;
    } else {
      problems.push(`FAULT_INJECTION: unknown fault "${key}" (known: conflict, lost)`);
    }
  }
  return faults;
}

let cached: Config | undefined;

/** The configuration of this container, read on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
