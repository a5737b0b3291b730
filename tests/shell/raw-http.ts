// Raw HTTP/1.1 over a socket: lets tests send request targets and Host headers no HTTP client would.
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function rawRequest(port: number, options: {
  method?: string; target: string; headers?: Record<string, string>; body?: string | Buffer; host?: string;
}): Promise<RawResponse> {
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers: Record<string, string> = { Host: `127.0.0.1:${port}`, Connection: 'close', ...options.headers };
  if (body) headers['Content-Length'] = String(body.length);
  const head = [`${options.method ?? 'GET'} ${options.target} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(port, options.host ?? '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (err) => (chunks.length ? undefined : reject(err)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const lines = text.slice(0, split).split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      const parsed: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        parsed[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      let rest = text.slice(split + 4);
      if (parsed['transfer-encoding'] === 'chunked') {
        let out = '';
        while (rest.length) {
          const nl = rest.indexOf('\r\n');
          const n = parseInt(rest.slice(0, nl), 16);
          if (!n) break;
          out += Buffer.from(rest.slice(nl + 2)).subarray(0, n).toString('utf8');
          rest = Buffer.from(rest.slice(nl + 2)).subarray(n + 2).toString('utf8');
        }
        rest = out;
      }
      resolve({ status, headers: parsed, body: rest });
    });
    socket.write(head);
    if (body) socket.write(body);
  });
}
