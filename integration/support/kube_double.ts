/**
 * A Kubernetes API server double for tests: HTTPS on 127.0.0.1 with its own CA, requiring a client
 * certificate or a bearer token; the REST endpoints kubeshark-mcp uses, label selectors, real
 * status codes and Status bodies; WebSocket port-forward (v4.channel.k8s.io: per-port data and
 * error channels, each opened with the port number) to a real loopback TCP target; and the API
 * server's service proxy. States are easy to script: pods pending or replaced, verbs forbidden,
 * the server down and back.
 */
import { createHash } from "node:crypto";
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import { testPki } from "./pki.ts";

// deno-lint-ignore no-explicit-any
type Obj = Record<string, any>;

/** Where a pod's port-forward lands: a real TCP listener on loopback. */
export interface Target {
  hostname: string;
  port: number;
}

const GROUPS: Record<string, string> = {
  services: "/api/v1",
  pods: "/api/v1",
  configmaps: "/api/v1",
  serviceaccounts: "/api/v1",
  secrets: "/api/v1",
  namespaces: "/api/v1",
  deployments: "/apis/apps/v1",
  daemonsets: "/apis/apps/v1",
  endpointslices: "/apis/discovery.k8s.io/v1",
  roles: "/apis/rbac.authorization.k8s.io/v1",
  rolebindings: "/apis/rbac.authorization.k8s.io/v1",
  clusterroles: "/apis/rbac.authorization.k8s.io/v1",
  clusterrolebindings: "/apis/rbac.authorization.k8s.io/v1",
  networkpolicies: "/apis/networking.k8s.io/v1",
  ingresses: "/apis/networking.k8s.io/v1",
};

const KINDS: Record<string, string> = {
  services: "Service",
  pods: "Pod",
  configmaps: "ConfigMap",
  serviceaccounts: "ServiceAccount",
  secrets: "Secret",
  namespaces: "Namespace",
  deployments: "Deployment",
  daemonsets: "DaemonSet",
  endpointslices: "EndpointSlice",
  roles: "Role",
  rolebindings: "RoleBinding",
  clusterroles: "ClusterRole",
  clusterrolebindings: "ClusterRoleBinding",
  networkpolicies: "NetworkPolicy",
  ingresses: "Ingress",
};

/** One request as the double saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  user: string;
  /** The Authorization header as sent ("" when none). */
  authorization: string;
}

/** A running API server double. */
export class KubeDouble {
  /** The bearer token the double accepts (besides its client certificate). */
  readonly token = "double-token-0123456789";
  readonly requests: SeenRequest[] = [];
  /** `verb resource` pairs answered with 403, e.g. "create pods/portforward". */
  readonly forbidden = new Set<string>();
  /** Where each pod's port-forward connects. */
  readonly targets = new Map<string, Target>();
  /** Tokens minted through TokenRequest, newest last. */
  readonly minted: { token: string; audiences: string[]; expirationSeconds: number }[] = [];
  /** Path fragments the double never answers (released when it stops). */
  readonly stalls = new Set<string>();
  /** Server-side applies and deletes, in order. */
  readonly applied: { resource: string; namespace?: string; name: string; fieldManager: string }[] =
    [];
  readonly deleted: { resource: string; namespace?: string; name: string; propagation: string }[] =
    [];
  /** How many status reads a rollout takes to become ready (0: at once). */
  rolloutPolls = 1;
  /** Dry-run applies, and objects a dry run refuses (e.g. "clusterroles/NAME": escalation). */
  readonly dryRuns: { resource: string; namespace?: string; name: string }[] = [];
  readonly rejectInDryRun = new Set<string>();
  /** Capture workers that never become Ready (Pod Security, host ports…). */
  workersNeverReady = false;
  /** Workers' desired count when a DaemonSet is applied. */
  nodes = 2;
  /** Where applied front pods' port-forwards land. */
  rolloutTarget?: Target;
  #rollouts = new Map<string, number>();
  /** Lifetime of minted tokens (tests shorten it to exercise renewal). */
  tokenSeconds = 3600;
  /**
   * When set, every REST request, authenticated or not, is answered 500 with this message built
   * from the Authorization header sent: an API server whose errors repeat what it was given.
   */
  failWith?: (authorization: string) => string;
  #objects = new Map<string, Obj>();
  #server?: https.Server;
  #port = 0;
  #sockets = new Set<net.Socket | Duplex>();
  #forwards = new Map<string, Set<Duplex>>();
  #serial = 0;

  private constructor() {}

  /** Starts a double on 127.0.0.1:0. */
  static async start(): Promise<KubeDouble> {
    const double = new KubeDouble();
    // As in every real cluster.
    for (const name of ["default", "kube-system"]) {
      double.put("namespaces", undefined, { metadata: { name } });
    }
    await double.up();
    return double;
  }

  /** `https://127.0.0.1:PORT` */
  get url(): string {
    return `https://127.0.0.1:${this.#port}`;
  }

  /** Starts (or restarts, on the same port) the server. */
  async up(): Promise<void> {
    const pki = await testPki();
    const server = https.createServer({
      key: pki.serverKey,
      cert: pki.serverCert,
      ca: pki.ca,
      requestCert: true,
      rejectUnauthorized: false,
    }, (request, response) => this.#handle(request, response));
    server.on("upgrade", (request, socket) => this.#upgrade(request, socket));
    server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(this.#port, "127.0.0.1", resolve));
    this.#port = (server.address() as net.AddressInfo).port;
    this.#server = server;
  }

  /** Stops the server (connections cut), keeping its state and port for `up`. */
  async down(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /**
   * Writes a kubeconfig for this double; `auth` picks the client certificate or the token, `user`
   * (the user's fields as YAML, each line indented by four spaces) replaces both.
   */
  async writeKubeconfig(
    path: string,
    options: { auth?: "cert" | "token"; user?: string; context?: string; namespace?: string } = {},
  ) {
    const pki = await testPki();
    const b64 = (text: string) => btoa(text);
    const context = options.context ?? "double";
    const user = options.user !== undefined
      ? options.user.replace(/\n?$/, "\n")
      : options.auth === "token"
      ? `    token: ${this.token}\n`
      : `    client-certificate-data: ${b64(pki.clientCert)}\n    client-key-data: ${
        b64(pki.clientKey)
      }\n`;
    await Deno.writeTextFile(
      path,
      `apiVersion: v1
kind: Config
clusters:
- name: double
  cluster:
    server: ${this.url}
    certificate-authority-data: ${b64(pki.ca)}
users:
- name: tester
  user:
${user}contexts:
- name: ${context}
  context:
    cluster: double
    user: tester${options.namespace ? `\n    namespace: ${options.namespace}` : ""}
current-context: ${context}
`,
    );
    return path;
  }

  /** Stores an object (kind from the resource name), filling metadata. */
  put(resource: string, namespace: string | undefined, object: Obj): Obj {
    const name = object.metadata.name;
    const stored = {
      apiVersion: GROUPS[resource] === "/api/v1" ? "v1" : GROUPS[resource].replace("/apis/", ""),
      kind: KINDS[resource],
      ...object,
      metadata: {
        uid: crypto.randomUUID(),
        resourceVersion: String(++this.#serial),
        creationTimestamp: new Date().toISOString(),
        ...object.metadata,
        ...(namespace ? { namespace } : {}),
      },
    };
    this.#objects.set(this.#key(resource, namespace, name), stored);
    return stored;
  }

  /** Removes an object; true when it existed. */
  remove(resource: string, namespace: string | undefined, name: string): boolean {
    return this.#objects.delete(this.#key(resource, namespace, name));
  }

  /** The stored object, if any. */
  get(resource: string, namespace: string | undefined, name: string): Obj | undefined {
    return this.#objects.get(this.#key(resource, namespace, name));
  }

  /** All stored objects of a resource (in a namespace, or everywhere). */
  list(resource: string, namespace?: string): Obj[] {
    return [...this.#objects.entries()]
      .filter(([key]) => key.startsWith(namespace ? `${resource}/${namespace}/` : `${resource}/`))
      .map(([, object]) => object);
  }

  // Applied workloads get pods (the front's forwarded to `rolloutTarget`) and become ready after
  // `rolloutPolls` reads of their status.
  #simulateRollout(resource: string, namespace: string, object: Obj): void {
    if (resource !== "deployments" && resource !== "daemonsets") return;
    const labels = object.spec?.template?.metadata?.labels ?? {};
    const key = `${resource}/${namespace}/${object.metadata.name}`;
    this.#rollouts.set(key, this.rolloutPolls);
    const desired = resource === "daemonsets" ? this.nodes : object.spec?.replicas ?? 1;
    object.status = resource === "daemonsets"
      ? { desiredNumberScheduled: desired, numberReady: 0 }
      : { replicas: desired, readyReplicas: 0 };
    for (let i = 0; i < desired; i++) {
      const pod = `${object.metadata.name}-${++this.#serial}`;
      this.put("pods", namespace, {
        metadata: { name: pod, labels },
        status: { phase: "Pending", conditions: [{ type: "Ready", status: "False" }] },
      });
      if (labels["app.kubeshark.com/app"] === "front" && this.rolloutTarget) {
        this.targets.set(pod, this.rolloutTarget);
      }
    }
    if (this.rolloutPolls === 0) this.#advanceRollout(resource, namespace, object);
  }

  #advanceRollout(resource: string, namespace: string | undefined, object: Obj): void {
    const key = `${resource}/${namespace}/${object.metadata.name}`;
    const left = this.#rollouts.get(key);
    if (left === undefined) return;
    if (left > 0) return void this.#rollouts.set(key, left - 1);
    this.#rollouts.delete(key);
    if (resource === "daemonsets" && this.workersNeverReady) return;
    const app = object.spec?.template?.metadata?.labels?.["app.kubeshark.com/app"];
    if (resource === "daemonsets") object.status.numberReady = object.status.desiredNumberScheduled;
    else object.status.readyReplicas = object.status.replicas;
    for (const pod of this.list("pods", namespace)) {
      if (pod.metadata.labels?.["app.kubeshark.com/app"] === app) {
        pod.status = { phase: "Running", conditions: [{ type: "Ready", status: "True" }] };
      }
    }
  }

  /** Cuts every port-forward stream to `pod` (as when the pod goes away). */
  cutForwards(pod: string): void {
    for (const socket of this.#forwards.get(pod) ?? []) socket.destroy();
  }

  /** Stops the server for good. */
  async close(): Promise<void> {
    await this.down();
  }

  #key(resource: string, namespace: string | undefined, name: string): string {
    return `${resource}/${namespace ?? ""}/${name}`;
  }

  #user(request: IncomingMessage): string | undefined {
    // deno-lint-ignore no-explicit-any
    const socket = request.socket as any;
    if (socket.authorized) return socket.getPeerCertificate?.()?.subject?.CN ?? "cert";
    const header = request.headers.authorization ?? "";
    return header === `Bearer ${this.token}` ? "token" : undefined;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.url);
    const user = this.#user(request);
    const authorization = request.headers.authorization ?? "";
    this.requests.push({
      method: request.method ?? "GET",
      path: url.pathname + url.search,
      user: user ?? "",
      authorization,
    });
    const send = (status: number, body: Obj) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (this.failWith) {
      return send(500, status(500, "InternalError", this.failWith(authorization)));
    }
    if (!user) return send(401, status(401, "Unauthorized", "Unauthorized"));
    const body = await readBody(request);
    if ([...this.stalls].some((fragment) => url.pathname.includes(fragment))) return;
    try {
      const answer = await this.#route(request.method ?? "GET", url, body, request, response);
      if (answer) send(answer.status, answer.body);
    } catch (error) {
      send(500, status(500, "InternalError", String(error)));
    }
  }

  async #route(
    method: string,
    url: URL,
    body: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<{ status: number; body: Obj } | undefined> {
    const path = url.pathname;
    if (path === "/version") {
      return { status: 200, body: { major: "1", minor: "35", gitVersion: "v1.35.0-double" } };
    }
    if (path === "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews" && method === "POST") {
      const review = JSON.parse(body || "{}");
      const attributes = review.spec?.resourceAttributes ?? {};
      const resource = attributes.subresource
        ? `${attributes.resource}/${attributes.subresource}`
        : attributes.resource;
      const allowed = !this.forbidden.has(`${attributes.verb} ${resource}`);
      return { status: 201, body: { ...review, status: { allowed } } };
    }
    const proxy = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/:]+)(?::([^/]+))?\/proxy(\/.*)?$/
      .exec(path);
    if (proxy) {
      const [, namespace, service, , rest] = proxy;
      // The API server authorizes the proxy by the request's verb: GET → get, POST → create.
      const proxyVerb = method === "GET"
        ? "get"
        : method === "POST"
        ? "create"
        : method.toLowerCase();
      if (this.forbidden.has(`${proxyVerb} services/proxy`)) {
        return forbidden(proxyVerb, "services/proxy", service, namespace);
      }
      await this.#serviceProxy(
        namespace,
        service,
        (rest ?? "/") + url.search,
        method,
        body,
        request,
        response,
      );
      return undefined;
    }
    const match =
      /^(\/api\/v1|\/apis\/[^/]+\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?(?:\/([a-z]+))?$/
        .exec(path);
    if (!match) {
      return {
        status: 404,
        body: status(404, "NotFound", `the server could not find the requested resource (${path})`),
      };
    }
    const [, , namespace, resource, name, subresource] = match;
    if (method === "GET" && namespace === undefined && resource === "namespaces" && name) {
      const ns = this.get("namespaces", undefined, name);
      return ns ? { status: 200, body: ns } : { status: 404, body: notFound("namespaces", name) };
    }
    const verb = method === "GET"
      ? (name ? "get" : "list")
      : method === "POST"
      ? "create"
      : method.toLowerCase();
    const full = subresource ? `${resource}/${subresource}` : resource;
    if (this.forbidden.has(`${verb} ${full}`)) return forbidden(verb, full, name, namespace);
    if (resource === "serviceaccounts" && subresource === "token" && method === "POST") {
      const account = this.get("serviceaccounts", namespace, name!);
      if (!account) return { status: 404, body: notFound("serviceaccounts", name!) };
      const spec = JSON.parse(body || "{}").spec ?? {};
      const token = `minted-${this.minted.length + 1}-${crypto.randomUUID()}`;
      const expirationSeconds = this.tokenSeconds;
      this.minted.push({ token, audiences: spec.audiences ?? [], expirationSeconds });
      return {
        status: 201,
        body: {
          kind: "TokenRequest",
          apiVersion: "authentication.k8s.io/v1",
          spec: { ...spec, expirationSeconds },
          status: {
            token,
            expirationTimestamp: new Date(Date.now() + expirationSeconds * 1000).toISOString(),
          },
        },
      };
    }
    if (method === "PATCH" && name) {
      if (namespace && !this.get("namespaces", undefined, namespace)) {
        return { status: 404, body: notFound("namespaces", namespace) };
      }
      // Server-side apply: the object as sent becomes the stored one (fields merged over it).
      const applied = JSON.parse(body || "{}");
      if (url.searchParams.get("dryRun") === "All") {
        this.dryRuns.push({ resource, namespace, name });
        if (this.rejectInDryRun.has(`${resource}/${name}`)) {
          return {
            status: 403,
            body: status(
              403,
              "Forbidden",
              `${resource} "${name}" is forbidden: attempt to grant extra privileges`,
            ),
          };
        }
        return { status: 200, body: applied };
      }
      const existing = this.get(resource, namespace, name);
      const stored = this.put(resource, namespace, {
        ...existing,
        ...applied,
        metadata: { ...existing?.metadata, ...applied.metadata, name },
      });
      this.applied.push({
        resource,
        namespace,
        name,
        fieldManager: url.searchParams.get("fieldManager") ?? "",
      });
      this.#simulateRollout(resource, namespace!, stored);
      return { status: existing ? 200 : 201, body: stored };
    }
    if (method === "DELETE" && name) {
      const object = this.get(resource, namespace, name);
      if (!object) return { status: 404, body: notFound(resource, name) };
      this.remove(resource, namespace, name);
      // Foreground propagation: the workload's pods go with it.
      if (resource === "deployments" || resource === "daemonsets") {
        const app = object.spec?.template?.metadata?.labels?.["app.kubeshark.com/app"];
        for (const pod of this.list("pods", namespace)) {
          if (app && pod.metadata.labels?.["app.kubeshark.com/app"] === app) {
            this.remove("pods", namespace, pod.metadata.name);
          }
        }
      }
      this.deleted.push({
        resource,
        namespace,
        name,
        propagation: url.searchParams.get("propagationPolicy") ?? "",
      });
      return { status: 200, body: status(200, "Success", "deleted") };
    }
    if (method === "GET" && name) {
      const object = this.get(resource, namespace, name);
      if (object) this.#advanceRollout(resource, namespace, object);
      return object
        ? { status: 200, body: object }
        : { status: 404, body: notFound(resource, name) };
    }
    if (method === "GET") {
      const selector = url.searchParams.get("labelSelector");
      const items = this.list(resource, namespace).filter((object) =>
        selects(selector, object.metadata.labels ?? {})
      );
      return {
        status: 200,
        body: {
          kind: `${KINDS[resource]}List`,
          apiVersion: "v1",
          metadata: { resourceVersion: String(this.#serial) },
          items,
        },
      };
    }
    return {
      status: 405,
      body: status(405, "MethodNotAllowed", `${method} is not supported by the double`),
    };
  }

  async #serviceProxy(
    namespace: string,
    service: string,
    rest: string,
    method: string,
    body: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const svc = this.get("services", namespace, service);
    const pod = svc &&
      this.list("pods", namespace).find((p) =>
        selects(selectorOf(svc.spec.selector), p.metadata.labels ?? {}) && isReady(p)
      );
    const target = pod && this.targets.get(pod.metadata.name);
    if (!target) {
      response.writeHead(503, { "content-type": "application/json" });
      response.end(
        JSON.stringify(
          status(503, "ServiceUnavailable", `no endpoints available for service "${service}"`),
        ),
      );
      return;
    }
    const headers = new Headers();
    for (const [key, value] of Object.entries(request.headers)) {
      if (
        typeof value === "string" &&
        !["authorization", "host", "connection", "content-length"].includes(key)
      ) headers.set(key, value);
    }
    const answer = await fetch(`http://${target.hostname}:${target.port}${rest}`, {
      method,
      headers,
      body: method === "GET" || method === "HEAD" ? undefined : body,
      redirect: "manual",
    });
    const responseHeaders: Record<string, string> = {};
    answer.headers.forEach((value, key) => {
      if (key !== "content-length" && key !== "transfer-encoding") responseHeaders[key] = value;
    });
    response.writeHead(answer.status, responseHeaders);
    response.end(new Uint8Array(await answer.arrayBuffer()));
  }

  /** WebSocket port-forward: `GET …/pods/NAME/portforward?ports=P` with Upgrade. */
  #upgrade(request: IncomingMessage, socket: Duplex): void {
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
    const url = new URL(request.url ?? "/", this.url);
    const user = this.#user(request);
    this.requests.push({
      method: "GET",
      path: url.pathname + url.search,
      user: user ?? "",
      authorization: request.headers.authorization ?? "",
    });
    const reject = (code: number, reason: string, detail: Obj) => {
      const text = JSON.stringify(detail);
      socket.end(
        `HTTP/1.1 ${code} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${text.length}\r\n\r\n${text}`,
      );
    };
    if (!user) return reject(401, "Unauthorized", status(401, "Unauthorized", "Unauthorized"));
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
    if (!match) return reject(404, "Not Found", status(404, "NotFound", "not found"));
    const [, namespace, podName] = match;
    if (this.forbidden.has("create pods/portforward")) {
      return reject(
        403,
        "Forbidden",
        forbidden("create", "pods/portforward", podName, namespace).body,
      );
    }
    const pod = this.get("pods", namespace, podName);
    if (!pod) return reject(404, "Not Found", notFound("pods", podName));
    const offered = String(request.headers["sec-websocket-protocol"] ?? "").split(",").map((s) =>
      s.trim()
    );
    if (!offered.includes("v4.channel.k8s.io")) {
      return reject(400, "Bad Request", status(400, "BadRequest", "v4.channel.k8s.io required"));
    }
    const port = Number(url.searchParams.get("ports"));
    const accept = createHash("sha1").update(
      `${request.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`,
    ).digest("base64");
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n`,
    );
    const portPrefix = new Uint8Array([port & 0xff, port >> 8]);
    socket.write(wsFrame(0x2, new Uint8Array([0, ...portPrefix])));
    socket.write(wsFrame(0x2, new Uint8Array([1, ...portPrefix])));
    const target = this.targets.get(podName);
    if (!target) {
      socket.write(
        wsFrame(
          0x2,
          new Uint8Array([1, ...new TextEncoder().encode(`no target for pod ${podName}`)]),
        ),
      );
      socket.end(wsFrame(0x8, new Uint8Array()));
      return;
    }
    const forwards = this.#forwards.get(podName) ?? new Set();
    forwards.add(socket);
    this.#forwards.set(podName, forwards);
    socket.on("close", () => forwards.delete(socket));
    const upstream = net.connect(target.port, target.hostname);
    this.#sockets.add(upstream);
    upstream.on("close", () => this.#sockets.delete(upstream));
    upstream.on(
      "data",
      (chunk: Uint8Array) => socket.write(wsFrame(0x2, concat(new Uint8Array([0]), chunk))),
    );
    upstream.on("end", () => socket.end(wsFrame(0x8, new Uint8Array())));
    upstream.on("error", (error) => {
      socket.write(
        wsFrame(0x2, concat(new Uint8Array([1]), new TextEncoder().encode(String(error)))),
      );
      socket.end(wsFrame(0x8, new Uint8Array()));
    });
    const reader = new FrameReader((opcode, payload) => {
      if (opcode === 0x8) {
        upstream.end();
        socket.end(wsFrame(0x8, new Uint8Array()));
      } else if (opcode === 0x9) {
        socket.write(wsFrame(0xa, payload));
      } else if ((opcode === 0x2 || opcode === 0x1) && payload.length && payload[0] === 0) {
        upstream.write(payload.subarray(1));
      }
    });
    socket.on("data", (chunk: Uint8Array) => reader.push(chunk));
    socket.on("close", () => upstream.destroy());
    socket.on("error", () => upstream.destroy());
  }
}

/** Decodes client WebSocket frames (masked), across chunk boundaries. */
class FrameReader {
  #buffer: Uint8Array = new Uint8Array();
  #onFrame: (opcode: number, payload: Uint8Array) => void;

  constructor(onFrame: (opcode: number, payload: Uint8Array) => void) {
    this.#onFrame = onFrame;
  }

  push(chunk: Uint8Array): void {
    this.#buffer = concat(this.#buffer, chunk);
    while (true) {
      const b = this.#buffer;
      if (b.length < 2) return;
      const opcode = b[0] & 0x0f;
      const masked = (b[1] & 0x80) !== 0;
      let length = b[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = (b[2] << 8) | b[3];
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(new DataView(b.buffer, b.byteOffset + 2, 8).getBigUint64(0));
        offset = 10;
      }
      const maskOffset = offset;
      if (masked) offset += 4;
      if (b.length < offset + length) return;
      const payload = b.slice(offset, offset + length);
      if (masked) {
        for (let i = 0; i < payload.length; i++) payload[i] ^= b[maskOffset + (i % 4)];
      }
      this.#buffer = b.slice(offset + length);
      this.#onFrame(opcode, payload);
    }
  }
}

function wsFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const header = payload.length < 126
    ? new Uint8Array([0x80 | opcode, payload.length])
    : payload.length < 65536
    ? new Uint8Array([0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff])
    : (() => {
      const h = new Uint8Array(10);
      h[0] = 0x80 | opcode;
      h[1] = 127;
      new DataView(h.buffer).setBigUint64(2, BigInt(payload.length));
      return h;
    })();
  return concat(header, payload);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    request.on("data", (chunk) => text += chunk);
    request.on("end", () => resolve(text));
  });
}

/** A Kubernetes Status body. */
export function status(code: number, reason: string, message: string, details: Obj = {}): Obj {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    details,
    code,
  };
}

function notFound(resource: string, name: string): Obj {
  return status(404, "NotFound", `${resource} "${name}" not found`, { name, kind: resource });
}

function forbidden(
  verb: string,
  resource: string,
  name: string | undefined,
  namespace: string | undefined,
) {
  const [group, sub] = resource.split("/");
  return {
    status: 403,
    body: status(
      403,
      "Forbidden",
      `${resource} ${
        name ? `"${name}" ` : ""
      }is forbidden: User "tester" cannot ${verb} resource "${group}"` +
        `${sub ? ` subresource "${sub}"` : ""} in API group "" ${
          namespace ? `in the namespace "${namespace}"` : "at the cluster scope"
        }`,
      { name, kind: group },
    ),
  };
}

/** Whether a label selector (`a=b,c!=d,e`) selects `labels`. */
export function selects(selector: string | null, labels: Record<string, string>): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const [key, value] = term.split(/!=|==|=/);
    if (term.includes("!=")) return labels[key] !== value;
    if (value === undefined) return key in labels;
    return labels[key] === value;
  });
}

/** A selector string from a map. */
export function selectorOf(labels: Record<string, string>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",");
}

/** Whether a pod is Running and Ready. */
export function isReady(pod: Obj): boolean {
  return pod.status?.phase === "Running" &&
    (pod.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True");
}
