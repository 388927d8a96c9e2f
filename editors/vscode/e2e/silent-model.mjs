// A language model endpoint that accepts requests and never answers, so a
// job stays busy until it is cancelled. It counts the requests and the
// connections the client dropped: a cancelled job must abandon its call.

import * as http from 'node:http';

export class SilentModel {
  requests = 0;
  dropped = 0;

  async start() {
    this.server = http.createServer((request) => {
      this.requests += 1;
      // No reply: the request stays open until the client gives up on it.
      request.socket.once('close', () => {
        this.dropped += 1;
      });
      request.resume();
    });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${this.server.address().port}/v1`;
  }

  async stop() {
    this.server?.closeAllConnections();
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve()));
  }
}
