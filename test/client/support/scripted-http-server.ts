import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A small HTTP server whose every answer a test writes by hand: for what a real agent-runner does
 * not do on demand (503 then 200, silence, a dropped event stream). Records every request.
 */
export class ScriptedHttpServer {
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** Every request received, in order. */
    readonly requests: SeenRequest[],
  ) {
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(
    handler: (req: SeenRequest, res: ServerResponse, n: number) => void,
  ): Promise<ScriptedHttpServer> {
    const requests: SeenRequest[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
        requests.push(seen);
        handler(seen, res, requests.length);
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    return new ScriptedHttpServer(server, `http://127.0.0.1:${port}`, requests);
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((ok) => this.server.close(() => ok()));
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function errorBody(status: number, code: string, message: string, details: unknown = null) {
  return {
    status_code: status,
    code,
    message,
    details,
    request_id: 'r-1',
    timestamp: new Date().toISOString(),
  };
}

/** An SSE frame as the service writes it. */
export function sseFrame(
  taskId: string,
  seq: number,
  type: string,
  data: Record<string, unknown> = {},
): string {
  return `id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify({ task_id: taskId, seq, timestamp: new Date(0).toISOString(), type, ...data })}\n\n`;
}
