import { Agent, request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { connect, Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Resolves when the connection that carried the answer closes. */
  socketClosed: Promise<void>;
  json<T = Record<string, unknown>>(): T;
}

/**
 * One HTTP request over node:http, with the connection exposed: tests of keep-alive and of
 * shutdown need to see which connection an answer came on and when the server closed it.
 */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: {
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
        agent: options.agent ?? false,
      },
      (res) => {
        const socket = res.socket;
        const socketClosed = new Promise<void>((done) =>
          socket.destroyed ? done() : socket.once('close', () => done()),
        );
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            socketClosed,
            json: <T>() => JSON.parse(body) as T,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A raw TCP connection to the server (for clients that misbehave on purpose). */
export function openSocket(baseUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves when the socket closes, with what the server sent on it. */
export function untilClosed(socket: Socket): Promise<string> {
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString()));
  return new Promise((resolve) =>
    socket.destroyed ? resolve(received) : socket.once('close', () => resolve(received)),
  );
}
