/** The seeding helper lives with the stress command (scripts/seed.ts, `--large-merge`); tests use it from here. */
export * from '../../scripts/seed';
