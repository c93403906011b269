/**
 * Ids for objects Plano creates in a client's API when the upstream gave none it could use
 * (Bedrock gives no message id; a Responses client needs `resp_…`, `msg_…`, `fc_…` ids that a
 * chat upstream does not have), in the style of the client API's own.
 */
import { randomUUID } from 'node:crypto';

/** `prefix` + 32 hex digits: `msg_3f2a…`, `resp_…`, `chatcmpl-…`. */
export function randomId(prefix: string): string {
  return `${prefix}${randomUUID().replaceAll('-', '')}`;
}
