import net from 'node:net';

export interface PgProxy {
  /** `databaseUrl` with this proxy's address instead of the database's. */
  url: string;
  /**
   * The event bus's LISTEN connections open so far go silent: nothing passes either way and
   * neither end is told (a firewall or NAT that forgot them). Connections opened later pass.
   */
  silenceBus(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of a PostgreSQL server, for faults a real network makes. */
export async function startPgProxy(databaseUrl: string): Promise<PgProxy> {
  const target = new URL(databaseUrl);
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; bus: boolean; silent: boolean }>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    const pair = { client, upstream, bus: false, silent: false };
    pairs.add(pair);
    let first = true;
    client.on('data', (chunk: Buffer) => {
      // The startup message names the connection's application_name.
      if (first) pair.bus = chunk.includes('bellhop-bus');
      first = false;
      if (!pair.silent) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!pair.silent) client.write(chunk);
    });
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', () => !pair.silent && end()).on('error', () => !pair.silent && end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    silenceBus: () => {
      for (const pair of pairs) if (pair.bus) pair.silent = true;
    },
    close: async () => {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
