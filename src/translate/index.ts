/**
 * The translations `plano up` can make, as data: one row per client API × upstream API pair
 * whose formats differ. Same-format pairs are not here: the server passes them through.
 */
import type { ClientApi, UpstreamApi } from '../providers/types.js';
import { chatToBedrock } from './bedrock-chat.js';
import { messagesToBedrock } from './bedrock-messages.js';
import { anthropicToChatStream } from './anthropic-stream-to-chat.js';
import { chatToMessagesRequest, messagesToChatResponse } from './chat-to-anthropic.js';
import { chatToAnthropicStream } from './chat-stream-to-anthropic.js';
import { composeTranslations } from './compose.js';
import { chatToMessagesResponse, messagesToChatRequest } from './messages-to-chat.js';
import { responsesToChat } from './responses-chat.js';
import type { Translation } from './types.js';

const chatToAnthropic: Translation = {
  client: 'chat_completions',
  upstream: 'anthropic_messages',
  request: chatToMessagesRequest,
  response: messagesToChatResponse,
  stream: anthropicToChatStream,
};

export const TRANSLATIONS: readonly Translation[] = [
  chatToAnthropic,
  {
    client: 'messages',
    upstream: 'openai_chat',
    request: messagesToChatRequest,
    response: chatToMessagesResponse,
    stream: chatToAnthropicStream,
  },
  responsesToChat,
  // A Responses client on Anthropic or Bedrock goes through chat: Responses → chat → upstream.
  composeTranslations(responsesToChat, chatToAnthropic),
  chatToBedrock,
  messagesToBedrock,
  composeTranslations(responsesToChat, chatToBedrock),
];

export function findTranslation(client: ClientApi, upstream: UpstreamApi): Translation | undefined {
  return TRANSLATIONS.find((t) => t.client === client && t.upstream === upstream);
}
