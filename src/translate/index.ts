/**
 * The translations `plano up` can make, as data: one row per client API × upstream API pair
 * whose formats differ. Same-format pairs are not here: the server passes them through.
 */
import type { ClientApi, UpstreamApi } from '../providers/types.js';
import { anthropicToChatStream } from './chat-to-anthropic-stream.js';
import { chatToMessagesRequest, messagesToChatResponse } from './chat-to-anthropic.js';
import { chatToAnthropicStream } from './messages-to-chat-stream.js';
import { chatToMessagesResponse, messagesToChatRequest } from './messages-to-chat.js';
import type { Translation } from './types.js';

export const TRANSLATIONS: readonly Translation[] = [
  {
    client: 'chat_completions',
    upstream: 'anthropic_messages',
    request: chatToMessagesRequest,
    response: messagesToChatResponse,
    stream: anthropicToChatStream,
  },
  {
    client: 'messages',
    upstream: 'openai_chat',
    request: messagesToChatRequest,
    response: chatToMessagesResponse,
    stream: chatToAnthropicStream,
  },
];

export function findTranslation(client: ClientApi, upstream: UpstreamApi): Translation | undefined {
  return TRANSLATIONS.find((t) => t.client === client && t.upstream === upstream);
}
