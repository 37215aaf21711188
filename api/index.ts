// The package's main entry point: everything of the four entry points
// (bpf-token-conformance/scenarios, /properties, /profiles, /generators).

export * from './scenarios.ts';
export * from './properties.ts';
export * from './profiles.ts';
export * from './generators.ts';
