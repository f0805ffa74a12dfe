// Types of `tessera/node`: the ext_authz / auth_request HTTP service.
import type { IncomingMessage, ServerResponse, Server } from 'node:http';
import type { Tessera } from './index.js';

export interface ExtAuthzOptions {
  /** Stripped from the check request's path when no x-forwarded-uri / x-original-uri is sent. */
  pathPrefix?: string;
  /** The client's address for PPL `source_ip`. */
  sourceIp?: (req: IncomingMessage) => string | undefined;
}

export declare function extAuthzHandler(tessera: Tessera, options?: ExtAuthzOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
export declare function createExtAuthzServer(tessera: Tessera, options?: ExtAuthzOptions): Server;
