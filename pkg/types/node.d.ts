// Types of `tessera/node`: the ext_authz / auth_request HTTP service.
import type { IncomingMessage, ServerResponse, Server } from 'node:http';
import type { Tessera } from './index.js';

/** The forwarding headers the service can read the original request from. */
export type ForwardingHeader =
  | 'x-original-method' | 'x-forwarded-method'
  | 'x-original-uri' | 'x-forwarded-uri'
  | 'x-forwarded-host' | 'x-forwarded-proto';

export interface ExtAuthzOptions {
  /** Stripped from the check request's path when the original path comes from it. */
  pathPrefix?: string;
  /**
   * The forwarding headers your proxy always sets (overwriting what a client sent), read for
   * the original method, path, host and scheme; none by default (the check request's own
   * method, path less `pathPrefix`, `host`, and `https`). Others are never read.
   */
  trustedHeaders?: ForwardingHeader[];
  /** The client's address for PPL `source_ip`. */
  sourceIp?: (req: IncomingMessage) => string | undefined;
}

export declare function extAuthzHandler(tessera: Tessera, options?: ExtAuthzOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
export declare function createExtAuthzServer(tessera: Tessera, options?: ExtAuthzOptions): Server;
