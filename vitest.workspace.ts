/**
 * The one list of test projects. Vitest 4 reads projects from the root vitest.config.ts,
 * which imports this list.
 */
export default ['packages/*', 'examples/*'];
