/**
 * The Node lines the service runs on (package.json `engines`). An older Node starts, but not
 * correctly: Node 20's http.Agent ignores its `defaultPort` option, which the Okta transport relies
 * on (http-transport.ts), so every Okta call to an org URL that names a port went to port 80 and
 * was refused, and each user got "try again later". Start-up stops instead, with a sentence.
 */
const OLDEST_NODE_MAJOR = 22;

/** Why this Node cannot run the service, or undefined when it can. */
export function unsupportedRuntime(nodeVersion: string): string | undefined {
  const major = Number.parseInt(nodeVersion.replace(/^v/, ''), 10);
  if (Number.isInteger(major) && major >= OLDEST_NODE_MAJOR) return undefined;
  return `Node ${nodeVersion} is older than ${OLDEST_NODE_MAJOR}, the oldest line this service runs on: use Node 22, 24 or 26 (npm start and npm test fetch Node 24 by themselves)`;
}
