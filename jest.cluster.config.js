/**
 * The multi-instance suite: real `node dist/main.js` processes on one MySQL/MariaDB database.
 * Run by `npm run test:cluster` (builds first) with TEST_DATABASE_URL set; one file at a time,
 * because the outage test stops and restarts the database server.
 */
module.exports = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testEnvironment: 'node',
  displayName: 'cluster',
  rootDir: 'test/cluster',
  testRegex: '.*\\.cluster-spec\\.ts$',
  testTimeout: 180_000,
};
