/**
 * Unit specs sit beside the source; e2e specs drive the real app over HTTP in test/.
 * A few runtime dependencies ship ESM only (cookie@2, content-disposition@3, loaded by the
 * Fastify cookie and static plugins). Node 20 runs them, but Jest's CommonJS module system
 * cannot: those files are transformed to CommonJS by Babel for tests only.
 */
const ESM_ONLY = ['@fastify/cookie', 'cookie', 'content-disposition'];

const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: {
    '^.+\\.ts$': 'ts-jest',
    '^.+\\.js$': ['babel-jest', { plugins: ['@babel/plugin-transform-dynamic-import', '@babel/plugin-transform-modules-commonjs'] }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', rootDir: 'src', testRegex: '.*\\.spec\\.ts$' },
    { ...common, displayName: 'e2e', rootDir: 'test', testRegex: '.*\\.e2e-spec\\.ts$' },
  ],
};
