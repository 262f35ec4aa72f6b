/** The message of the ConfigError that loadConfig throws for an environment, or a failed test. */
import { ConfigError, loadConfig } from '../../src/config.js';

export function configErrorFor(environment: Record<string, string>): string {
  try {
    loadConfig(environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}
