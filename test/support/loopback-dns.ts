import dns2 from 'dns2';

const { Packet } = dns2;

/** A DNS server on loopback that answers the TXT records a test publishes, and NXDOMAIN for every other name. */
export interface LoopbackDns {
  /** `127.0.0.1:<port>`, the form DNS_RESOLVER takes. */
  readonly address: string;
  /** Publishes (or, with an empty list, withdraws) the TXT strings of a name. */
  setTxt(name: string, values: string[]): void;
  close(): Promise<void>;
}

/** Starts the server (UDP only: node's resolver asks over UDP first, and the answers are small). */
export async function startLoopbackDns(): Promise<LoopbackDns> {
  const txt = new Map<string, string[]>();
  const server = dns2.createUDPServer((request, send) => {
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    const values = question ? txt.get(question.name.toLowerCase().replace(/\.$/, '')) : undefined;
    if (!question || !values) {
      response.header.rcode = 3; // NXDOMAIN
    } else if (question.type === Packet.TYPE.TXT) {
      for (const value of values) {
        response.answers.push({
          name: question.name,
          type: Packet.TYPE.TXT,
          class: Packet.CLASS.IN,
          ttl: 1,
          data: value,
        } as never);
      }
    }
    void send(response);
  });
  await server.listen(0, '127.0.0.1');
  const { port } = server.address();
  return {
    address: `127.0.0.1:${port}`,
    setTxt(name, values) {
      const key = name.toLowerCase().replace(/\.$/, '');
      if (values.length === 0) txt.delete(key);
      else txt.set(key, values);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
