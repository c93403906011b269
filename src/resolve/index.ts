/** The resolver core: Config → Gateway, model lookup, credentials at request time, and the views of a Gateway. */
export { resolveGateway, type ResolveOptions } from './resolve.js';
export { lookupModel } from './lookup.js';
export { credentialFor, accessKeyVariable } from './auth.js';
export { modelsListObject, ownedBy, type ModelsListObject } from './models-list.js';
export { gatewayJson, type GatewayJson } from './gateway-json.js';
export type * from './types.js';
