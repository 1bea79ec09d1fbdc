/**
 * The distribution files, all generated from deno.json (name, version, license) so one version
 * shows everywhere: mcp/server.json (MCP registry), mcp/manifest.json (MCPB bundle), the Claude
 * Code plugin (.claude-plugin/, .mcp.json), and — at release time, with the archives' SHA-256 —
 * the Homebrew formula and a server.json listing the MCPB bundles.
 *
 *   deno task manifests           rewrite the committed files
 *   deno task manifests --check   exit 1 when a committed file differs from what is generated
 */
import meta from "../deno.json" with { type: "json" };
import { V8_FLAGS } from "../lib/version.ts";

/** The repository the releases are published from. */
export const REPOSITORY = "https://github.com/kubeshark/kubeshark-mcp";
/** The MCP registry name (reverse DNS of the GitHub owner). */
export const REGISTRY_NAME = "io.github.kubeshark/kubeshark-mcp";
/** The server.json schema the files follow (the newest dated one). */
export const SERVER_SCHEMA =
  "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

const DESCRIPTION = "Query Kubeshark's Kubernetes network traffic: L7 API calls, L4 flows, PCAPs.";
const LONG_DESCRIPTION =
  "An MCP server for Kubeshark: lets an assistant list workloads, query L7 API calls " +
  "(HTTP, gRPC, Redis, Kafka, DNS) with KFL2 filters, read L4 flows and export PCAP snapshots. " +
  "Point it at a Kubeshark front end (Hub URL) or at a cluster (kubeconfig); leave both empty to " +
  "use your default kubeconfig. It never starts, stops or deletes anything unless started with " +
  "--allow-destructive (cluster only); it can take snapshots, switch dissection, copy snapshots " +
  "to and from cloud storage and download files unless started with --read-only.";

/** A release target: Deno's target triple, our short name, and the runner OS that tests it. */
export interface Target {
  triple: string;
  os: "linux" | "darwin" | "windows";
  arch: "x64" | "arm64";
}

/** Every target `deno task compile` builds. */
export const TARGETS: Target[] = [
  { triple: "x86_64-unknown-linux-gnu", os: "linux", arch: "x64" },
  { triple: "aarch64-unknown-linux-gnu", os: "linux", arch: "arm64" },
  { triple: "x86_64-apple-darwin", os: "darwin", arch: "x64" },
  { triple: "aarch64-apple-darwin", os: "darwin", arch: "arm64" },
  { triple: "x86_64-pc-windows-msvc", os: "windows", arch: "x64" },
];

/** The binary's file name on a target. */
export function binaryName(target: Target): string {
  return target.os === "windows" ? "kubeshark-mcp.exe" : "kubeshark-mcp";
}

/** The release asset names of a target. */
export function assetNames(target: Target, version = meta.version) {
  const base = `kubeshark-mcp-${version}-${target.triple}`;
  return {
    archive: `${base}.${target.os === "windows" ? "zip" : "tar.gz"}`,
    bundle: `${base}.mcpb`,
  };
}

/** Where a release asset is downloaded from. */
export function assetUrl(name: string, version = meta.version): string {
  return `${REPOSITORY}/releases/download/v${version}/${name}`;
}

const JSR = `jsr:${meta.name}@${meta.version}`;

// What the server reads from its environment, as the registry documents it.
const ENVIRONMENT = [
  {
    name: "KUBESHARK_MCP_URL",
    description: "Kubeshark front end URL (URL mode), e.g. https://kubeshark.example.com. " +
      "Empty: proxy mode through the kubeconfig.",
    isRequired: false,
  },
  {
    name: "KUBESHARK_HUB_TOKEN",
    description: "Token for a Hub that requires authentication (URL mode): " +
      "kubectl create token kubeshark-cli -n <namespace> --audience kubeshark-hub",
    isRequired: false,
    isSecret: true,
  },
  {
    name: "KUBECONFIG",
    description: "Kubeconfig file(s) for proxy mode (default ~/.kube/config)",
    isRequired: false,
    format: "filepath",
  },
];

/** mcp/server.json; with `bundles` (release time) it also lists the MCPB bundles. */
export function serverJson(bundles: { target: Target; sha256: string }[] = []) {
  return {
    $schema: SERVER_SCHEMA,
    name: REGISTRY_NAME,
    title: "Kubeshark",
    description: DESCRIPTION,
    repository: { url: REPOSITORY, source: "github" },
    version: meta.version,
    websiteUrl: REPOSITORY,
    packages: [
      ...bundles.map(({ target, sha256 }) => ({
        registryType: "mcpb",
        identifier: assetUrl(assetNames(target).bundle),
        version: meta.version,
        fileSha256: sha256,
        transport: { type: "stdio" },
        environmentVariables: ENVIRONMENT,
      })),
      {
        // `deno run -A --v8-flags=… jsr:@kubeshark/kubeshark-mcp@<version>`
        registryType: "jsr",
        registryBaseUrl: "https://jsr.io",
        identifier: meta.name,
        version: meta.version,
        runtimeHint: "deno",
        runtimeArguments: [
          { type: "positional", value: "run", valueHint: "run" },
          { type: "named", name: "-A", description: "The permissions the server needs" },
          {
            type: "positional",
            value: V8_FLAGS,
            valueHint: "v8_flags",
            description: "The young-generation size the server is measured with (less memory)",
          },
        ],
        transport: { type: "stdio" },
        packageArguments: [
          {
            type: "named",
            name: "--url",
            description: "Kubeshark front end URL (URL mode: Kubeshark is managed externally)",
            isRequired: false,
          },
          {
            type: "named",
            name: "--kubeconfig",
            description: "Kubeconfig file for proxy mode (default $KUBECONFIG, ~/.kube/config)",
            isRequired: false,
            format: "filepath",
          },
        ],
        environmentVariables: ENVIRONMENT,
      },
    ],
  };
}

/** The MCPB manifest (manifest_version 0.4). `target` narrows it to one bundle's binary. */
export function mcpbManifest(target?: Target) {
  const binary = target ? binaryName(target) : "kubeshark-mcp";
  return {
    manifest_version: "0.4",
    name: "kubeshark-mcp",
    display_name: "Kubeshark",
    version: meta.version,
    description: DESCRIPTION,
    long_description: LONG_DESCRIPTION,
    author: { name: "Kubeshark", url: "https://kubeshark.com" },
    repository: { type: "git", url: REPOSITORY },
    homepage: REPOSITORY,
    documentation: `${REPOSITORY}#readme`,
    support: `${REPOSITORY}/issues`,
    license: meta.license,
    keywords: ["kubernetes", "kubeshark", "network", "traffic", "pcap", "observability"],
    server: {
      type: "binary",
      entry_point: `server/${binary}`,
      mcp_config: {
        command: `\${__dirname}/server/${binary}`,
        args: [],
        // Settings travel as environment variables: an empty optional setting then means "not
        // set" (as an argument it would be a flag with an empty value).
        env: {
          KUBESHARK_MCP_URL: "${user_config.hub_url}",
          KUBESHARK_HUB_TOKEN: "${user_config.hub_token}",
          KUBECONFIG: "${user_config.kubeconfig}",
        },
        ...(target ? {} : {
          platform_overrides: {
            win32: { command: "${__dirname}/server/kubeshark-mcp.exe" },
          },
        }),
      },
    },
    tools_generated: true,
    prompts_generated: true,
    compatibility: {
      platforms: target ? [target.os === "windows" ? "win32" : target.os] : [
        "darwin",
        "linux",
        "win32",
      ],
    },
    user_config: {
      hub_url: {
        type: "string",
        title: "Kubeshark URL",
        description: "A running Kubeshark front end, e.g. https://kubeshark.example.com " +
          "(URL mode). Leave empty to reach Kubeshark through your kubeconfig.",
        required: false,
        default: "",
      },
      hub_token: {
        type: "string",
        title: "Hub token",
        description: "Only for a Hub that requires authentication (URL mode): " +
          "kubectl create token kubeshark-cli -n <namespace> --audience kubeshark-hub",
        required: false,
        sensitive: true,
        default: "",
      },
      kubeconfig: {
        type: "file",
        title: "Kubeconfig",
        description: "Kubeconfig for proxy mode. Empty: $KUBECONFIG, else ~/.kube/config.",
        required: false,
        default: "",
      },
    },
  };
}

/** .claude-plugin/plugin.json */
export function claudePlugin() {
  return {
    name: "kubeshark",
    version: meta.version,
    description: DESCRIPTION,
    author: { name: "Kubeshark", url: "https://kubeshark.com" },
    homepage: REPOSITORY,
    repository: REPOSITORY,
    license: meta.license,
    keywords: ["kubernetes", "kubeshark", "network", "traffic", "mcp"],
  };
}

/** .claude-plugin/marketplace.json: this repository as a one-plugin marketplace. */
export function claudeMarketplace() {
  return {
    name: "kubeshark",
    owner: { name: "Kubeshark", url: "https://kubeshark.com" },
    metadata: { description: "Kubeshark for Claude Code", version: meta.version },
    plugins: [{
      name: "kubeshark",
      source: "./",
      description: DESCRIPTION,
      version: meta.version,
    }],
  };
}

/**
 * .mcp.json at the plugin root. Claude Code expands ${VAR:-default}: URL mode when
 * KUBESHARK_MCP_URL is set where Claude Code runs, else proxy mode with the kubeconfig.
 */
export function claudeMcpJson() {
  return {
    mcpServers: {
      kubeshark: {
        command: "deno",
        args: ["run", "-A", V8_FLAGS, JSR],
        env: {
          KUBESHARK_MCP_URL: "${KUBESHARK_MCP_URL:-}",
          KUBESHARK_HUB_TOKEN: "${KUBESHARK_HUB_TOKEN:-}",
        },
      },
    },
  };
}

/** The Homebrew formula for a release, from the archives' SHA-256 sums (keyed by target triple). */
export function homebrewFormula(sha256: Record<string, string>): string {
  const block = (os: "darwin" | "linux", arch: "x64" | "arm64") => {
    const target = TARGETS.find((t) => t.os === os && t.arch === arch)!;
    const sum = sha256[target.triple];
    if (!/^[0-9a-f]{64}$/.test(sum ?? "")) throw new Error(`no SHA-256 for ${target.triple}`);
    return [
      `    on_${arch === "arm64" ? "arm" : "intel"} do`,
      `      url "${assetUrl(assetNames(target).archive)}"`,
      `      sha256 "${sum}"`,
      `    end`,
    ].join("\n");
  };
  return `# Generated by \`deno task release\` (.ci/distribution.ts); do not edit by hand.
class KubesharkMcp < Formula
  desc "MCP server for Kubeshark: query Kubernetes network traffic from AI assistants"
  homepage "${REPOSITORY}"
  version "${meta.version}"
  license "${meta.license}"

  on_macos do
${block("darwin", "arm64")}
${block("darwin", "x64")}
  end

  on_linux do
${block("linux", "arm64")}
${block("linux", "x64")}
  end

  def install
    bin.install "kubeshark-mcp"
  end

  test do
    assert_equal "kubeshark-mcp #{version}\\n", shell_output("#{bin}/kubeshark-mcp --version")
  end
end
`;
}

/** The committed files and their generated text. */
export function committedFiles(): Record<string, string> {
  const json = (value: unknown) => JSON.stringify(value, null, 2) + "\n";
  return {
    "mcp/server.json": json(serverJson()),
    "mcp/manifest.json": json(mcpbManifest()),
    ".claude-plugin/plugin.json": json(claudePlugin()),
    ".claude-plugin/marketplace.json": json(claudeMarketplace()),
    ".mcp.json": json(claudeMcpJson()),
  };
}

if (import.meta.main) {
  const root = new URL("../", import.meta.url);
  const check = Deno.args.includes("--check");
  let stale = 0;
  for (const [path, text] of Object.entries(committedFiles())) {
    const file = new URL(path, root);
    const current = await Deno.readTextFile(file).catch(() => undefined);
    if (current === text) continue;
    if (check) {
      console.error(`${path} differs from what .ci/distribution.ts generates`);
      stale++;
    } else {
      await Deno.mkdir(new URL(".", file), { recursive: true });
      await Deno.writeTextFile(file, text);
      console.log(`wrote ${path}`);
    }
  }
  if (stale) {
    console.error("run `deno task manifests` and commit the result");
    Deno.exit(1);
  }
}
