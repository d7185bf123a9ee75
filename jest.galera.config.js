/**
 * The Galera suite: real `node dist/main.js` processes, one per node of the three-node MariaDB
 * Galera cluster that scripts/galera-test.sh starts. Run by `npm run test:galera` (builds
 * first) with TEST_GALERA_URLS set to the three node URLs; one file at a time, because the
 * soak kills and restarts a node of the shared cluster.
 */
module.exports = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testEnvironment: 'node',
  displayName: 'galera',
  rootDir: 'test/galera',
  testRegex: '.*\\.galera-spec\\.ts$',
  testTimeout: 180_000,
};
