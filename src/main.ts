import 'reflect-metadata';
import cluster from 'node:cluster';
import { AppConfig, ConfigError, loadAppConfig, validateEnvironment } from './config';

/** Configuration first: a bad value stops the start with one line naming the variable. */
function loadConfig(): AppConfig {
  try {
    validateEnvironment();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  return loadAppConfig(process.env);
}

async function main(): Promise<void> {
  const config = loadConfig();
  // WEB_CONCURRENCY > 1: this process is a node:cluster primary that forks the workers (this
  // same file, where cluster.isPrimary is false) and serves nothing itself. Each side loads
  // only its own module, so the primary never loads Nest, TypeORM or the database drivers.
  if (config.webConcurrency > 1 && cluster.isPrimary) {
    const { runPrimary } = await import('./cluster/cluster-primary');
    runPrimary(config);
    return;
  }
  const { serve } = await import('./server');
  await serve(config, { reportPosture: !(cluster.isWorker && config.webConcurrency > 1) });
}

void main();
