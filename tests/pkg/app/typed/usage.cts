// A typed CommonJS user: require() resolves the .d.cts declarations.
import tessera = require('tessera');
import node = require('tessera/node');

const t = new tessera.Tessera({ allowUnsigned: true });
const d: tessera.Decision = t.checkRequest({ method: 'GET', url: 'https://status.example.com/' });
const server = node.createExtAuthzServer(t);
export = { d, server };
