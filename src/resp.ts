import net from "node:net";
import tls from "node:tls";

/**
 * The least of a Redis connection that `luagen deploy` needs: one command at a time, its reply
 * parsed (RESP2, the protocol every server starts a connection in). luagen has no Redis client
 * among its dependencies (the generated code runs on the user's own), and a deploy step sends
 * three kinds of command: AUTH, CLUSTER NODES, FUNCTION LOAD.
 */
export type Reply = string | number | null | ReplyError | Reply[];

/** An error reply (`-ERR ...`): a value, not a thrown error, since deploy reports per node. */
export class ReplyError {
  constructor(readonly message: string) {}
}

export interface Connection {
  send(...args: string[]): Promise<Reply>;
  close(): void;
}

/** A client certificate and its key (PEM), for a server that asks for one (`tls-auth-clients yes`). */
export interface ClientCertificate {
  cert: Buffer;
  key: Buffer;
}

/**
 * Connects to `host:port`, over TLS with `secure` (`rediss://`: the server's certificate checked
 * against Node's CAs, which NODE_EXTRA_CA_CERTS extends with a private one, and against `host`;
 * `client` presented when given); rejects with the socket's error (ECONNREFUSED, a certificate
 * Node does not trust...) or after `timeoutMs`.
 */
export function connect(
  host: string,
  port: number,
  timeoutMs = 5_000,
  secure = false,
  client?: ClientCertificate,
): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = secure
      ? tls.connect({ host, port, ...(net.isIP(host) === 0 ? { servername: host } : {}), ...client })
      : net.connect({ host, port });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)),
    );
    socket.once("error", reject);
    socket.once(secure ? "secureConnect" : "connect", () => {
      socket.off("error", reject);
      resolve(connection(socket, `${host}:${port}`));
    });
  });
}

/** The connection to `where` (`host:port`, which every error it rejects with names). */
function connection(socket: net.Socket, where: string): Connection {
  let buffer = Buffer.alloc(0);
  const waiting: { resolve(reply: Reply): void; reject(error: Error): void }[] = [];
  const failAll = (error: Error) => {
    for (const w of waiting.splice(0)) w.reject(error);
  };
  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    try {
      for (let parsed = parse(buffer, 0); parsed !== undefined; parsed = parse(buffer, 0)) {
        buffer = buffer.subarray(parsed.end);
        waiting.shift()?.resolve(parsed.reply);
      }
    } catch (error) {
      // Not a Redis server (an HTTP one on that port, say): fail the waiting commands, not the process.
      socket.destroy(new Error(`${where}: ${(error as Error).message}`));
    }
  });
  socket.on("error", failAll);
  socket.on("close", () => failAll(new Error(`${where}: the connection closed`)));
  return {
    send: (...args) =>
      new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        socket.write(encode(args));
      }),
    close: () => socket.destroy(),
  };
}

/** A command as RESP: an array of bulk strings, lengths in bytes. */
export function encode(args: readonly string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(""), "utf8");
}

/** One reply starting at `at`, and where it ends; undefined while the buffer holds only part of it. */
export function parse(buffer: Buffer, at: number): { reply: Reply; end: number } | undefined {
  const lineEnd = buffer.indexOf("\r\n", at);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[at]!);
  const line = buffer.toString("utf8", at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case "+":
      return { reply: line, end: next };
    case "-":
      return { reply: new ReplyError(line), end: next };
    case ":":
      return { reply: Number(line), end: next };
    case "$": {
      const length = Number(line);
      if (length < 0) return { reply: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { reply: buffer.toString("utf8", next, next + length), end: next + length + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { reply: null, end: next };
      const items: Reply[] = [];
      let end = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buffer, end);
        if (item === undefined) return undefined;
        items.push(item.reply);
        end = item.end;
      }
      return { reply: items, end };
    }
    default:
      throw new Error(`not a Redis reply (type byte ${JSON.stringify(type)})`);
  }
}
