/**
 * A local port carried to a pod's port over the API server's port-forward (WebSocket,
 * v4.channel.k8s.io) by @kubernetes/client-node's PortForward, one stream per connection.
 */
import net from "node:net";
import { Writable } from "node:stream";
import { loadClientNode } from "./load_client_node.ts";
import type { Logger } from "../log.ts";

/** Why a forward stopped working. */
export interface ForwardFailure {
  /** The API server's status when it refused the upgrade (403, 404…). */
  status?: number;
  message: string;
  /**
   * "upgrade": the stream never opened, so nothing was delivered. "stream": an open stream broke,
   * or the pod side reported an error.
   */
  kind: "upgrade" | "stream";
  at: number;
}

/** How long the port-forward handshake may take before the connection is given up. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/** A listener on 127.0.0.1:0 forwarding each connection to `pod:port`. */
export class PortForwarder {
  readonly pod: string;
  readonly namespace: string;
  #server?: net.Server;
  #port = 0;
  #failure?: ForwardFailure;
  #sockets = new Set<net.Socket>();

  private constructor(namespace: string, pod: string) {
    this.namespace = namespace;
    this.pod = pod;
  }

  /** Starts forwarding 127.0.0.1:<ephemeral> → `namespace/pod:port`. */
  static async start(
    // deno-lint-ignore no-explicit-any
    kubeConfig: any,
    target: { namespace: string; pod: string; port: number },
    log: Logger,
  ): Promise<PortForwarder> {
    const { PortForward } = await loadClientNode();
    const forwarder = new PortForwarder(target.namespace, target.pod);
    const portForward = new PortForward(kubeConfig, true);
    const server = net.createServer((socket) => {
      forwarder.#sockets.add(socket);
      socket.on("close", () => forwarder.#sockets.delete(socket));
      socket.on("error", () => socket.destroy());
      // The pod side's errors (e.g. nothing listening on the port) arrive on the error channel.
      const errors = new Writable({
        write(chunk, _encoding, done) {
          forwarder.#fail(`the pod reported: ${String(chunk).trim()}`, "stream", log);
          done();
        },
      });
      let opened = false;
      const handshake = setTimeout(() => {
        if (opened) return;
        forwarder.#fail(
          `the API server did not complete the port-forward handshake within ${
            HANDSHAKE_TIMEOUT_MS / 1000
          } s`,
          "upgrade",
          log,
        );
        socket.destroy();
      }, HANDSHAKE_TIMEOUT_MS);
      portForward.portForward(target.namespace, target.pod, [target.port], socket, errors, socket)
        // deno-lint-ignore no-explicit-any
        .then((ws: any) => {
          opened = true;
          clearTimeout(handshake);
          // The local side may have given up meanwhile: do not leave the stream open.
          if (socket.destroyed) return ws.close?.();
          ws.on?.("error", (error: Error) => forwarder.#fail(error, "stream", log));
          ws.on?.("close", (code: number) => {
            if (code !== 1000) forwarder.#fail(`the stream closed (code ${code})`, "stream", log);
            socket.end();
          });
          socket.on("close", () => ws.close?.());
        })
        .catch((error: unknown) => {
          clearTimeout(handshake);
          forwarder.#fail(error, "upgrade", log);
          socket.destroy();
        });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    forwarder.#server = server;
    forwarder.#port = (server.address() as net.AddressInfo).port;
    log.debug(
      `Port-forward 127.0.0.1:${forwarder.#port} → ${target.namespace}/${target.pod}:${target.port}`,
    );
    return forwarder;
  }

  /** The local base URL. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The last failure the API server reported for this forward, if any. */
  get failure(): ForwardFailure | undefined {
    return this.#failure;
  }

  /** Stops listening and cuts every forwarded connection. */
  close(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#server?.close();
  }

  #fail(error: unknown, kind: ForwardFailure["kind"], log: Logger): void {
    // The library rejects with the ws ErrorEvent, whose message is a getter.
    const message = error !== null && typeof error === "object" && "message" in error
      ? String((error as { message: unknown }).message)
      : String(error);
    // The ws library reports a refused upgrade as "Unexpected server response: 403".
    const status = Number(/\b([1-5]\d\d)\b/.exec(message)?.[1]) || undefined;
    this.#failure = { status, message, kind, at: Date.now() };
    log.debug(`Port-forward to ${this.namespace}/${this.pod} failed: ${message}`);
  }
}
