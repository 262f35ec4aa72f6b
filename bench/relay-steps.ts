/**
 * What the relay baselines do at each of the four steps, over either engine, given a way to call
 * Okta (node:http or got): the least a recovery relay must do, so that what our service costs
 * above it is what our safety and operability cost.
 *
 * Classic: one authn call per step, the stateToken handed to the client in JSON.
 *
 * Identity Engine: the same eight calls as our IDX engine (interact, introspect, the recover
 * action, identify-recovery and the email challenge at the start; then the code, the question and
 * the new password), each answer parsed and the next form found by its name, as any IDX client
 * must; the stateHandle and the question's key handed to the client in JSON. Stateless between
 * steps, so after the start it posts to the challenge-answer path every one of those forms names,
 * where our engine follows the href it kept. It never redeems the interaction code, and neither
 * does our service (README "Identity Engine").
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { BENCH_IDX_CLIENT_ID, RELAY_ENDPOINTS } from './protocol.js';

export type OktaCall = (path: string, body: string, contentType: string) => Promise<{ status: number; json: Record<string, unknown> }>;

export interface StepReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One step: the client's JSON body in, the relay's answer out. */
export type RelayStep = (body: Record<string, unknown>) => Promise<StepReply>;

export type RelayEngine = 'classic' | 'idx';

const JSON_TYPE = 'application/json';
const ION_TYPE = 'application/ion+json; okta-version=1.0.0';
const FORM_TYPE = 'application/x-www-form-urlencoded';
const CHALLENGE_ANSWER = '/idp/idx/challenge/answer';

/** The engine a baseline relays over: BENCH_RELAY_ENGINE, Classic unless it says idx. */
export function relayEngine(): RelayEngine {
  return process.env.BENCH_RELAY_ENGINE === 'idx' ? 'idx' : 'classic';
}

export function relaySteps(engine: RelayEngine, call: OktaCall): Readonly<Record<string, RelayStep>> {
  return engine === 'idx' ? idxSteps(call) : classicSteps(call);
}

function classicSteps(call: OktaCall): Record<string, RelayStep> {
  const steps: Record<string, RelayStep> = {};
  for (const [route, endpoint] of Object.entries(RELAY_ENDPOINTS)) {
    const start = route === '/start';
    steps[route] = async (body) => {
      if (start) body.factorType = 'EMAIL';
      const answer = await call(endpoint, JSON.stringify(body), JSON_TYPE);
      return { status: start && answer.status === 200 ? 202 : answer.status, body: { status: answer.json.status, stateToken: answer.json.stateToken } };
    };
  }
  return steps;
}

interface Field {
  name?: string;
  value?: unknown;
  form?: { value?: Field[] };
  options?: { label?: string; value?: { form?: { value?: Field[] } } }[];
}
interface Form {
  name?: string;
  href?: string;
  value?: Field[];
}
type Ion = Record<string, unknown> & { stateHandle?: string; remediation?: { value?: Form[] }; currentAuthenticator?: { value?: { recover?: Form } } };

/** A step that found no form it needs fails its flow (the load generator counts it). */
class RelayFailed extends Error {}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new RelayFailed(`no ${what} in Okta's answer`);
  return value;
}

function formNamed(ion: Ion, name: string): Form {
  return required(
    ion.remediation?.value?.find((form) => form.name === name),
    name,
  );
}

function pathOf(href: string | undefined): string {
  return new URL(required(href, 'href')).pathname;
}

/** The name/value pairs of a form's fixed values (an authenticator option's id and method). */
function valuesOf(fields: Field[] | undefined): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields ?? []) if (field.name !== undefined) values[field.name] = field.value;
  return values;
}

function idxSteps(call: OktaCall): Record<string, RelayStep> {
  // The IDX service's redirect URI: the emulated org's one OIDC app allows only that.
  const redirectUri = process.env.BENCH_IDX_REDIRECT_URI ?? '';
  const ion = async (path: string, body: Record<string, unknown>): Promise<Ion> => {
    const answer = await call(path, JSON.stringify(body), ION_TYPE);
    if (answer.status !== 200) throw new RelayFailed(`${path} answered ${answer.status}`);
    return answer.json as Ion;
  };
  const handed = (answer: Ion, status = 200): StepReply => ({ status, body: { stateHandle: answer.stateHandle } });

  return {
    async '/start'(body) {
      const verifier = randomBytes(32).toString('base64url');
      const form = new URLSearchParams({
        client_id: BENCH_IDX_CLIENT_ID,
        scope: 'openid',
        redirect_uri: redirectUri,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        state: randomUUID(),
      });
      const interaction = await call('/oauth2/v1/interact', form.toString(), FORM_TYPE);
      let answer = await ion('/idp/idx/introspect', { interactionHandle: required(interaction.json.interaction_handle, 'interaction_handle') });
      const stateHandle = answer.stateHandle;
      answer = await ion(pathOf(answer.currentAuthenticator?.value?.recover?.href), { stateHandle });
      answer = await ion(pathOf(formNamed(answer, 'identify-recovery').href), { identifier: body.username, stateHandle });
      const select = formNamed(answer, 'select-authenticator-authenticate');
      const options = select.value?.find((field) => field.name === 'authenticator')?.options;
      const email = required(options?.find((option) => option.label === 'Email'), 'email authenticator');
      answer = await ion(pathOf(select.href), { authenticator: valuesOf(email.value?.form?.value), stateHandle });
      return handed(answer, 202);
    },
    async '/verify'(body) {
      const answer = await ion(CHALLENGE_ANSWER, { credentials: { passcode: body.code }, stateHandle: body.stateHandle });
      const credentials = formNamed(answer, 'challenge-authenticator').value?.find((field) => field.name === 'credentials');
      const questionKey = credentials?.form?.value?.find((field) => field.name === 'questionKey')?.value;
      return { status: 200, body: { stateHandle: answer.stateHandle, questionKey } };
    },
    async '/answer'(body) {
      return handed(await ion(CHALLENGE_ANSWER, { credentials: { questionKey: body.questionKey, answer: body.answer }, stateHandle: body.stateHandle }));
    },
    async '/reset'(body) {
      const answer = await ion(CHALLENGE_ANSWER, { credentials: { passcode: body.newPassword }, stateHandle: body.stateHandle });
      required(answer.successWithInteractionCode, 'successWithInteractionCode');
      return handed(answer);
    },
  };
}
