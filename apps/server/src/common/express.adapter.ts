import http from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import express, { type Express } from 'express';

/**
 * Express gives every request and response its own prototypes (`app.request`, `app.response`) with
 * `Object.setPrototypeOf`, once per request. Measured on Node.js 20 (the mechanism inside V8 was not
 * pinned down): each request's objects then outlived the next scavenge. With history pages fetched
 * back to back, ~950 KB were promoted to the old generation at every scavenge (3 KB with this
 * adapter), each scavenge took 3–5 ms (~1 ms), and a page in forty or fifty waited for one. This
 * adapter has Node's HTTP server construct requests and responses with those prototypes already
 * (its `IncomingMessage` and `ServerResponse` options), so Express finds nothing to change.
 */
export class BellhopExpressAdapter extends ExpressAdapter {
  constructor() {
    super(express());
  }

  override initHttpServer(options: NestApplicationOptions): void {
    // Options that need Nest's own server set-up (none is used here) keep it, as would a Node.js
    // whose constructors became classes.
    const plain = isPlainFunction(http.IncomingMessage) && isPlainFunction(http.ServerResponse);
    if (!plain || options.httpsOptions || options.forceCloseConnections || options.return503OnClosing) return super.initHttpServer(options);
    const app = this.getInstance<Express>();
    this.httpServer = http.createServer(
      {
        IncomingMessage: withPrototype(http.IncomingMessage, app.request),
        ServerResponse: withPrototype(http.ServerResponse, app.response),
      },
      app,
    );
  }
}

/**
 * An old-style subclass of `base` whose instances have `prototype` (which inherits from
 * `base.prototype`). `Reflect.construct` with a new target would do the same for any constructor,
 * but measured slower than Express's own prototype change, and its objects were still promoted.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- a plain constructor function, returned as the same type
function withPrototype<C extends Function>(base: C, prototype: object): C {
  function Constructed(this: object, ...args: unknown[]): void {
    base.apply(this, args);
  }
  Constructed.prototype = prototype;
  return Constructed as unknown as C;
}

/** Node's IncomingMessage and ServerResponse are plain constructor functions (a class could not be called so). */
function isPlainFunction(f: unknown): boolean {
  return typeof f === 'function' && !Function.prototype.toString.call(f).startsWith('class');
}
