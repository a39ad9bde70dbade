import type { z } from 'zod';

/**
 * Turns zod issues into lines a person can act on: the field as a dotted path, what is wrong,
 * and where the value came from when it was an environment variable.
 */
export function formatIssues(issues: z.core.$ZodIssue[], envSources: Map<string, string>): string[] {
  return issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(top level)';
    const source = sourceOf(issue.path.map(String), envSources);
    if (!source) return `${field}: ${describe(issue)}`;
    // The environment sets single values (env-overrides.ts); a list or a section is written in the file.
    const structured = issue.code === 'invalid_type' && (issue.expected === 'array' || issue.expected === 'object') && typeof issue.input === 'string';
    return `${field}: ${describe(issue)} (from environment variable ${source}${structured ? `; the environment sets single values only: unset ${source} and give ${field} in the config file` : ''})`;
  });
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}; check the spelling against infra/sluice.example.yaml`;
    case 'invalid_type':
      return `expected ${issue.expected}, got ${receivedType(issue.input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}, got ${JSON.stringify(issue.input)}`;
    case 'invalid_key':
      return `bad name: ${issue.issues.map((inner) => inner.message).join('; ')}`;
    default:
      return issue.message;
  }
}

function receivedType(input: unknown): string {
  if (input === undefined) return 'nothing (the field is missing)';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'string') return `the string ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`;
  return typeof input;
}

function sourceOf(path: string[], envSources: Map<string, string>): string | undefined {
  for (let length = path.length; length > 0; length -= 1) {
    const source = envSources.get(path.slice(0, length).join('.'));
    if (source) return source;
  }
  return undefined;
}
