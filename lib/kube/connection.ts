/**
 * From kubeconfig to a working connection: which files, which context, and a fetch-like transport
 * carrying the context's credentials. @kubernetes/client-node does the kubeconfig work (merging,
 * client certificates, tokens, exec plugins, CA data, insecure-skip-tls-verify); it costs ~0.5 s
 * to load, so it is imported only here, and only in proxy mode.
 */
import { describeError } from "../errors.ts";
import type { Secrets } from "../secrets.ts";
import { Buffer } from "node:buffer";
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { type Config, kubeconfigPaths } from "../config.ts";
import { KubeApi, KubeError, type KubeTransport } from "./api.ts";
import { loadClientNode } from "./load_client_node.ts";

/** A loaded kubeconfig context. */
export interface KubeConnection {
  // deno-lint-ignore no-explicit-any
  kubeConfig: any;
  context: string;
  server: string;
  api: KubeApi;
  /** The transport, for the Hub's service-proxy route. */
  transport: KubeTransport;
}

/** Loads the kubeconfig and selects the context; errors name the files and contexts. */
export async function connect(config: Config, secrets?: Secrets): Promise<KubeConnection> {
  const paths = kubeconfigPaths(config);
  const present = paths.filter((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
  if (!present.length) {
    throw new KubeError(
      "failed",
      `No kubeconfig found (tried ${paths.join(", ")}). Pass --kubeconfig PATH, set KUBECONFIG, ` +
        "or talk to a Kubeshark you can reach directly with --url (or try --demo).",
    );
  }
  const { KubeConfig } = await loadClientNode();
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(present[0]);
    for (const path of present.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(path);
      kubeConfig.mergeConfig(more);
    }
  } catch (error) {
    throw new KubeError(
      "failed",
      `Cannot read kubeconfig ${present.join(", ")}: ${describeError(error)}`,
    );
  }
  if (config.context) {
    const names = kubeConfig.getContexts().map((context: { name: string }) => context.name);
    if (!names.includes(config.context)) {
      throw new KubeError(
        "failed",
        `Context "${config.context}" is not in ${present.join(", ")}; it has: ${
          names.join(", ") || "none"
        }.`,
      );
    }
    kubeConfig.setCurrentContext(config.context);
  }
  const context = kubeConfig.getCurrentContext();
  const cluster = kubeConfig.getCurrentCluster();
  if (!context || !cluster) {
    throw new KubeError(
      "failed",
      `${present.join(", ")} selects no context (current-context is empty); pass --context NAME.`,
    );
  }
  // The users' credentials are masked in everything we write from now on.
  for (const user of kubeConfig.users) {
    for (
      const value of [
        user.token,
        user.password,
        user.keyData,
        user.keyData ? atobOrEmpty(user.keyData) : "",
        // An auth provider's tokens and secrets, not its command paths or scopes.
        ...Object.entries(user.authProvider?.config ?? {})
          .filter(([key]) => /token|secret|password|key/i.test(key))
          .map(([, value]) => String(value)),
      ]
    ) secrets?.add(value);
  }
  const transport = credentialedTransport(kubeConfig);
  return {
    kubeConfig,
    context,
    server: cluster.server,
    api: new KubeApi(cluster.server, context, transport),
    transport,
  };
}

/**
 * A fetch-like transport with the context's TLS material and auth headers. It goes through
 * node:https because Deno's fetch cannot skip TLS verification per client, which
 * insecure-skip-tls-verify clusters need; the library resolves tokens and exec plugins for us.
 */
// deno-lint-ignore no-explicit-any
function credentialedTransport(kubeConfig: any): KubeTransport {
  return async (request) => {
    // deno-lint-ignore no-explicit-any
    const options: Record<string, any> = { headers: {} };
    // Re-applied per request: exec plugins and token files may rotate credentials.
    await kubeConfig.applyToHTTPSOptions(options);
    return await nodeFetch(request, options);
  };
}

// deno-lint-ignore no-explicit-any
async function nodeFetch(request: Request, tls: Record<string, any>): Promise<Response> {
  const url = new URL(request.url);
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  const headers: Record<string, string> = { ...tls.headers };
  request.headers.forEach((value, key) => headers[key] = value);
  if (tls.auth && !headers.authorization) {
    headers.authorization = `Basic ${Buffer.from(tls.auth).toString("base64")}`;
  }
  const client = url.protocol === "https:" ? https : http;
  return await new Promise<Response>((resolve, reject) => {
    if (request.signal.aborted) return reject(request.signal.reason);
    const outgoing = client.request({
      // No keep-alive pool: under Deno a request on a reused connection ignores its abort signal
      // (and may be sent again on a fresh one), which would defeat every timeout above.
      agent: false,
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port || (url.protocol === "https:" ? 443 : 80),
      path: url.pathname + url.search,
      method: request.method,
      headers,
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
      servername: tls.servername,
    }, (incoming) => {
      const status = incoming.statusCode ?? 502;
      const responseHeaders = new Headers();
      for (const [key, value] of Object.entries(incoming.headers)) {
        if (value !== undefined) {
          responseHeaders.set(key, Array.isArray(value) ? value.join(", ") : value);
        }
      }
      const nullBody = [101, 204, 205, 304].includes(status) || request.method === "HEAD";
      if (nullBody) incoming.resume();
      resolve(
        new Response(
          nullBody ? null : Readable.toWeb(incoming) as ReadableStream<Uint8Array>,
          { status: status === 101 ? 502 : status, headers: responseHeaders },
        ),
      );
    });
    const abort = () => outgoing.destroy(new Error(String(request.signal.reason ?? "aborted")));
    request.signal.addEventListener("abort", abort, { once: true });
    outgoing.on("close", () => request.signal.removeEventListener("abort", abort));
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

function atobOrEmpty(base64: string): string {
  try {
    return atob(base64).trim();
  } catch {
    return "";
  }
}
