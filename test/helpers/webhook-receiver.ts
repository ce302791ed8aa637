import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a test receiver got. */
export interface Received {
  readonly at: number;
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly raw: string;
  readonly body: Record<string, unknown>;
  readonly answered: number;
}

/**
 * A partner's webhook endpoint for tests: records every request, and answers with what `respond`
 * says for it (by default 200). `respond` can be changed between tests.
 */
export class Receiver {
  readonly received: Received[] = [];
  respond: (body: Record<string, unknown>, nth: number) => number = () => 200;
  private readonly server: Server;

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(): Promise<Receiver> {
    let self: Receiver | undefined;
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString('utf8')));
      req.on('end', () => {
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          // kept as raw
        }
        const answered = self!.respond(body, self!.received.filter((r) => r.body['key'] === body['key']).length + 1);
        self!.received.push({ at: Date.now(), path: req.url ?? '', headers: req.headers, raw, body, answered });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new Receiver(server);
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Requests about one file key. */
  about(key: string): Received[] {
    return this.received.filter((r) => r.body['key'] === key);
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}
