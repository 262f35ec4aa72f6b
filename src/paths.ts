/**
 * Where the project's non-code files live. Resolved from this module's own location, so the
 * service finds templates/ and public/ whether it runs from dist/ (npm start) or src/ (tests).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(start: string): string {
  let directory = start;
  while (!existsSync(path.join(directory, 'package.json'))) {
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error('package.json not found above ' + start);
    directory = parent;
  }
  return directory;
}

export const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));
export const templatesDir = path.join(projectRoot, 'templates');
export const publicDir = path.join(projectRoot, 'public');
export const messagesDir = path.join(projectRoot, 'src', 'i18n', 'messages');
