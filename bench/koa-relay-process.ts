/**
 * The framework floor: Koa and koa-bodyparser (the stack our service is built on) relaying the
 * same Okta calls over Node's http client with one keep-alive agent, as our Okta client does
 * (src/okta/http-transport.ts). It sits between the bare node:http relay (relay-process.ts: no
 * framework) and Koa + got (baseline-process.ts: the usual stack), and splits what we cost above
 * the relay into what the framework costs and what our own features cost.
 */
import { serveKoaRelay } from './koa-relay-app.js';
import { callOkta } from './relay-okta.js';

serveKoaRelay(callOkta);
