/**
 * Holds the JSON API to its contract: every answer a test gets from a documented operation must
 * have a status docs/openapi.yaml lists for it, a JSON content type, and a body its schema accepts.
 * Browsers from startTestService run every response through here, so each HTTP suite checks the
 * document with the requests it already makes, instead of a second copy of them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

interface Operation {
  readonly operationId: string;
  readonly responses: Record<string, { $ref?: string; content?: Record<string, unknown> }>;
}
interface Document {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: Record<string, unknown>;
}

const DOCUMENT_ID = 'https://okta-recovery.invalid/openapi.json';
const document = parse(readFileSync(path.join(process.cwd(), 'docs', 'openapi.yaml'), 'utf8')) as Document;
// OpenAPI 3.1's schemas are JSON Schema 2020-12. strict: a misspelt keyword in the document is an error here.
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);
// Registered whole under one id so the document's own "#/components/schemas/…" references resolve.
// Its two containers are declared as keywords that validate nothing: only the schemas that the
// pointers below reach are compiled, and strict mode still checks those.
ajv.addKeyword('components').addKeyword('paths');
ajv.addSchema({ $id: DOCUMENT_ID, components: document.components, paths: document.paths });

/** "(POST /api/recovery/start → 202)" pairs every checked answer had, for coverage assertions. */
export const seenAnswers = new Set<string>();

/** JSON pointer escaping (RFC 6901). */
const escape = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * Throws, naming the operation and what is wrong, when an answer to a documented operation is not
 * what the document says; answers to anything the document does not describe are left alone.
 */
export function expectDocumentedAnswer(method: string, url: string, response: { status: number; headers: Headers; text: string }): void {
  const pathname = new URL(url, 'http://placeholder').pathname;
  const operation = document.paths[pathname]?.[method.toLowerCase()];
  if (!operation) return;
  const where = `${method} ${pathname} (${operation.operationId}) answered ${response.status}`;
  const status = String(response.status);
  let answer = operation.responses[status];
  let pointer = `#/paths/${escape(pathname)}/${method.toLowerCase()}/responses/${status}`;
  if (!answer) throw new Error(`${where}, a status docs/openapi.yaml does not list`);
  if (answer.$ref) {
    pointer = answer.$ref;
    answer = resolve(answer.$ref) as typeof answer;
  }
  if (!answer?.content?.['application/json']) throw new Error(`${where}, documented without a JSON body`);
  if (!/^application\/json\b/.test(response.headers.get('content-type') ?? '')) {
    throw new Error(`${where} with content-type ${response.headers.get('content-type')}, not application/json`);
  }
  const validate = ajv.getSchema(`${DOCUMENT_ID}${pointer}/content/application~1json/schema`);
  if (!validate) throw new Error(`${where}: no schema at ${pointer}`);
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    throw new Error(`${where} with a body that is not JSON`);
  }
  if (!validate(body)) throw new Error(`${where} with a body its schema refuses: ${ajv.errorsText(validate.errors)}\n${response.text}`);
  seenAnswers.add(`${method} ${pathname} → ${status}`);
}

function resolve(ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((node, segment) => (node as Record<string, unknown>)[segment], document);
}
