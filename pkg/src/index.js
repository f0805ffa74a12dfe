// tessera's JavaScript layer, the same in every runtime. The entry files under entry/ load the
// one .wasm the way their runtime can, then re-export this.
export { Engine } from '../dist/wasm/tessera.js';
export { Tessera, TesseraError, decisionId, setSignatureVerifier, useWebCrypto } from './engine.js';
export { WebCryptoSignatures, giveVerdicts, unpackCheck } from './web-crypto.js';
export { BundleLoader, memoryStorage, cacheApiStorage } from './loader.js';
export { DecisionLog } from './log.js';
export {
  IDENTITY_HEADERS,
  authorizeRequest,
  edgeHandler,
  checkProxyRequest,
  checkProxyRequestAsync,
  headersToRemove,
  identityHeaders,
  denialBody,
  denialHeaders,
} from './http.js';
