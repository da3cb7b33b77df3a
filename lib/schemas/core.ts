/**
 * The building blocks of the API's one schema source (zod/mini, the tree-shakable zod 4 API: the
 * full `zod` API would add ~90 KB to every function bundle). What callers send is checked by zod
 * for its shape and then by the service's existing normalisation rules (lib/validation.ts,
 * lib/admin-params.ts), called from inside the schema: a rule's ValidationError becomes the issue,
 * so the codes and messages stay exactly those of the rules. The same schemas, with the metadata
 * of `docs`, produce the OpenAPI document (lib/schemas/document.ts).
 * No HTTP and no storage here.
 */
import * as z from 'zod/mini';
import { ValidationError } from '../errors';

/** Documentation of a schema in the OpenAPI document; keys are JSON Schema / OpenAPI keywords. */
export interface SchemaDocs {
  /** Makes the schema a named component: `#/components/schemas/<id>`. */
  id?: string;
  title?: string;
  description?: string;
  example?: unknown;
  deprecated?: boolean;
  /** JSON Schema keywords that replace what zod would derive (for shapes only a rule checks). */
  [keyword: string]: unknown;
}

/** The metadata registry the document generator reads. Schemas are registered where they are defined. */
export const docs = z.registry<SchemaDocs>();

/** Registers `meta` for `schema` and returns the schema, so a definition reads as one expression. */
export function documented<T extends z.core.$ZodType>(schema: T, meta: SchemaDocs): T {
  docs.add(schema, meta);
  return schema;
}

/**
 * A schema defined at module level, built at import as a plain `const` would be. Call it with
 * esbuild's pure annotation (a block comment `@__PURE__` right before the call): it tells esbuild
 * that the call has no side effect worth keeping, so a function bundle that never uses the
 * schema leaves it out, and with it the zod code only it needs (~10 KB for the admin functions
 * that parse one route's parameters). Without it esbuild must keep every schema of an imported
 * module, since `documented()` writes to a registry; that registry only feeds the OpenAPI
 * document, which imports every schema it describes.
 */
export function defineSchema<T>(build: () => T): T {
  return build();
}

/**
 * Any JavaScript number, NaN and Infinity included (zod's number refuses those, and JSON.parse
 * turns `1e400` into Infinity): the rule that follows decides, with its own message.
 */
export function anyNumber(meta: SchemaDocs, error?: string) {
  return documented(z.custom<number>((value) => typeof value === 'number', error === undefined ? undefined : { error }), meta);
}

/**
 * A transform that runs an existing rule. A ValidationError it throws becomes a zod issue that
 * carries the rule's code and message; anything else propagates.
 */
export function rule<I, O>(fn: (input: I) => O) {
  return z.transform<I, O>((input, ctx) => {
    try {
      return fn(input);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      ctx.issues.push({ code: 'custom', message: error.message, input, params: { code: error.code } });
      return z.NEVER;
    }
  });
}

/** A check of a whole object that fails with a stable code (e.g. "give at least one of …"). */
export function refineWith<T>(test: (value: T) => boolean, code: string, message: string) {
  return z.refine<T>(test, { message, params: { code } });
}

/** Which code a zod issue that no rule raised maps to: the input's own, or the field's (first path key). */
export interface IssueCodes {
  /** The input itself has the wrong shape (e.g. not an object). */
  self: string;
  fields?: Record<string, string>;
}

/**
 * Parses `input` with `schema`; the first issue decides the ValidationError: a rule's own code and
 * message, or the code of the field whose shape is wrong with the message the schema gives it.
 */
export function parseOrThrow<S extends z.core.$ZodType>(schema: S, input: unknown, codes: IssueCodes): z.output<S> {
  const result = z.safeParse(schema, input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const own = issue.code === 'custom' ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
  if (typeof own === 'string') throw new ValidationError(own, issue.message);
  const field = issue.path[0];
  const code = (typeof field === 'string' ? codes.fields?.[field] : undefined) ?? codes.self;
  throw new ValidationError(code, issue.message);
}
