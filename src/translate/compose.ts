/**
 * Two translations in a row, through a middle API both speak: `outer` carries the client's API to
 * the middle one, `inner` the middle API to the upstream's. A Responses client on Anthropic is
 * Responses → chat (outer) then chat → Anthropic Messages (inner).
 *
 * Order: the request goes outer then inner; the response comes back inner then outer; a stream's
 * upstream bytes go through inner's transducer, whose middle-API SSE text feeds outer's.
 */
import type { ClientApi, UpstreamApi } from '../providers/types.js';
import type { StreamTransducer, TranslateContext, Translation } from './types.js';

// The same wire format, named as an upstream API and as a client API.
const CLIENT_API_OF: Readonly<Partial<Record<UpstreamApi, ClientApi>>> = {
  openai_chat: 'chat_completions',
  anthropic_messages: 'messages',
  openai_responses: 'responses',
};

export function composeTranslations(outer: Translation, inner: Translation): Translation {
  if (CLIENT_API_OF[outer.upstream] !== inner.client) {
    throw new Error(`cannot compose ${outer.client}→${outer.upstream} with ${inner.client}→${inner.upstream}: the middle APIs differ`);
  }
  // What inner sees as "the client's request" is outer's translation of it (for options such as
  // chat's stream_options.include_usage, which outer sets for its own needs).
  // Translated again only to be read: its notes were taken when the request was sent.
  const innerContext = (ctx: TranslateContext): TranslateContext =>
    ctx.clientRequest === undefined ? ctx : { ...ctx, clientRequest: outer.request(ctx.clientRequest, { ...ctx, notes: undefined }) };
  return {
    client: outer.client,
    upstream: inner.upstream,
    request: (body, ctx) => inner.request(outer.request(body, ctx), ctx),
    response: (body, ctx) => outer.response(inner.response(body, innerContext(ctx)), ctx),
    stream(ctx): StreamTransducer {
      const upstreamSide = inner.stream(innerContext(ctx));
      const clientSide = outer.stream(ctx);
      const encoder = new TextEncoder();
      const relay = (middle: string): string => (middle.length > 0 ? clientSide.push(encoder.encode(middle)) : '');
      return {
        push: (chunk) => relay(upstreamSide.push(chunk)),
        // A break-off becomes the middle API's error event, which outer turns into the client's.
        end: (brokeOff) => relay(upstreamSide.end(brokeOff)) + clientSide.end(),
        // The upstream's own count, read before any translation could lose a field.
        usage: () => upstreamSide.usage() ?? clientSide.usage(),
      };
    },
  };
}
