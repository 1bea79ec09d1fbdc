/**
 * From kubeconfig to a working connection: which files, which context, and a fetch-like transport
 * carrying the context's credentials. @kubernetes/client-node does the kubeconfig work (merging,
 * client certificates, tokens, exec plugins, CA data, insecure-skip-tls-verify); it costs ~0.5 s
 * to load, so it is imported only here, and only in proxy mode. It ignores a user's `tokenFile`,
 * which we apply ourselves.
 */
import { describeError } from "../errors.ts";
import { kubeconfigSecrets } from "../redact.ts";
import { Secrets } from "../secrets.ts";
import { Buffer } from "node:buffer";
import http from "node:http";
import https from "node:https";
import { dirname, isAbsolute, join } from "node:path";
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

/**
 * Loads the kubeconfig and selects the context; errors name the files and contexts. Every
 * credential the files hold, and every one obtained from them later (exec plugins, auth providers,
 * token files), is added to `secrets`, so that what we write masks it.
 */
export async function connect(
  config: Config,
  secrets: Secrets = new Secrets(),
): Promise<KubeConnection> {
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
  const { parse } = await import("yaml");
  const kubeConfig = new KubeConfig();
  // User name → absolute path of its token file (user names are unique across the merged files).
  const tokenFiles = new Map<string, string>();
  try {
    for (const [index, path] of present.entries()) {
      const text = Deno.readTextFileSync(path);
      // The credentials, from the file as written: client-node's parsed users drop some fields.
      const raw = parse(text);
      for (const secret of kubeconfigSecrets(raw)) secrets.add(secret);
      for (const [user, file] of tokenFilesOf(raw)) {
        tokenFiles.set(user, isAbsolute(file) ? file : join(dirname(path), file));
      }
      // What KubeConfig.loadFromFile does, without reading the file a second time.
      const loaded = index === 0 ? kubeConfig : new KubeConfig();
      loaded.loadFromString(text);
      loaded.makePathsAbsolute(dirname(path));
      if (index > 0) kubeConfig.mergeConfig(loaded);
    }
  } catch (error) {
    // Only the first line: YAML parsers quote the lines around a syntax error after it, and
    // those may hold a credential the file could not be parsed far enough to reveal.
    throw new KubeError(
      "failed",
      `Cannot read kubeconfig ${present.join(", ")}: ${describeError(error).split("\n")[0]}`,
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
  kubeConfig.addAuthenticator(tokenFileAuthenticator(tokenFiles));
  recordCredentials(kubeConfig, secrets);
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

// `users[].user.tokenFile` of a parsed kubeconfig, as [user name, path as written].
function tokenFilesOf(kubeconfig: unknown): [string, string][] {
  const users = (kubeconfig as { users?: unknown })?.users;
  if (!Array.isArray(users)) return [];
  return users.flatMap((entry) => {
    const { name, user } = (entry ?? {}) as { name?: unknown; user?: { tokenFile?: unknown } };
    const file = user?.tokenFile;
    return typeof name === "string" && typeof file === "string" && file !== ""
      ? [[name, file] as [string, string]]
      : [];
  });
}

/**
 * Bearer auth from a user's `tokenFile` (client-node reads only a nonstandard `token-file`, once).
 * As in kubectl, a `token` wins over the file, and the file is read again for every request and
 * port-forward, so a rotated token (a projected service account token) is picked up.
 */
function tokenFileAuthenticator(tokenFiles: Map<string, string>) {
  return {
    isAuthProvider: (user: { name: string; token?: string }) =>
      tokenFiles.has(user.name) && !user.token,
    applyAuthentication: async (
      user: { name: string },
      options: { headers?: Record<string, unknown> },
    ) => {
      const path = tokenFiles.get(user.name)!;
      let token: string;
      try {
        token = (await Deno.readTextFile(path)).trim();
      } catch (error) {
        throw new Error(
          `cannot read the tokenFile of kubeconfig user "${user.name}" (${path}): ${
            describeError(error)
          }`,
        );
      }
      if (!token) {
        throw new Error(`the tokenFile of kubeconfig user "${user.name}" (${path}) is empty`);
      }
      (options.headers ??= {}).Authorization = `Bearer ${token}`;
    },
  };
}

/**
 * Adds to `secrets` the credentials obtained at run time, as the client library puts them on each
 * of our requests and port-forwards (both go through applyToHTTPSOptions): the Authorization
 * header's credential (from an exec plugin, an auth provider, a token file) and the client key
 * (from an exec plugin, or a `client-key` file). What the kubeconfig holds itself, basic auth's
 * base64 included, is known from the files already (kubeconfigSecrets).
 */
// deno-lint-ignore no-explicit-any
function recordCredentials(kubeConfig: any, secrets: Secrets): void {
  const apply = kubeConfig.applyToHTTPSOptions.bind(kubeConfig);
  // deno-lint-ignore no-explicit-any
  kubeConfig.applyToHTTPSOptions = async (options: Record<string, any>) => {
    await apply(options);
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (name.toLowerCase() === "authorization" && typeof value === "string") {
        secrets.add(value.replace(/^[A-Za-z0-9-]+\s+/, ""));
      }
    }
    if (options.key) secrets.add(String(options.key).trim());
  };
}
