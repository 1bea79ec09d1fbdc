/**
 * MCP Apps views (the `io.modelcontextprotocol/ui` extension): three `ui://` HTML resources, which
 * tool shows which view, and the compact `structuredContent` each view receives. A client that
 * does not declare the extension sees none of this: no `_meta.ui` on tools, answers as before.
 * The HTML is built ahead of time (`deno task build-views`) into generated.ts, so nothing is read
 * from disk at run time and the module is loaded only when a view is listed or read.
 */
import { clientSupportsViews, UI_EXTENSION, VIEW_MIME_TYPE } from "./extension.ts";
import { flowsContent, latencyContent, serviceMapContent, type ViewContent } from "./shapes.ts";
import { load } from "../lazy.ts";

export { clientSupportsViews, UI_EXTENSION, VIEW_MIME_TYPE };

/** A view resource as `resources/list` shows it. */
export interface ViewResource {
  uri: string;
  name: string;
  title: string;
  description: string;
  mimeType: typeof VIEW_MIME_TYPE;
  _meta: { ui: { prefersBorder: boolean; csp: Record<string, never> } };
}

type Transform = (answer: unknown, args: Record<string, unknown>) => ViewContent;

interface View {
  id: "service_map" | "latency" | "flows";
  resource: ViewResource;
  tool: string;
  transform: Transform;
}

// No network at all: an empty CSP declaration (scripts and styles are inline).
const META = { ui: { prefersBorder: true, csp: {} } };

const VIEWS: View[] = [
  {
    id: "service_map",
    tool: "list_api_calls",
    transform: serviceMapContent,
    resource: {
      uri: "ui://kubeshark/service-map.html",
      name: "service-map",
      title: "Service map",
      description: "The calls of a list_api_calls answer as a map: workloads grouped by " +
        "namespace, edges coloured by error rate and p90 latency; click an edge for its calls.",
      mimeType: VIEW_MIME_TYPE,
      _meta: META,
    },
  },
  {
    id: "latency",
    tool: "get_api_stats",
    transform: latencyContent,
    resource: {
      uri: "ui://kubeshark/latency.html",
      name: "latency",
      title: "Latency and errors over time",
      description: "get_api_stats per time bucket: p50/p90/p99 and errors per group, deploy " +
        "markers; brush a range to query it alone.",
      mimeType: VIEW_MIME_TYPE,
      _meta: META,
    },
  },
  {
    id: "flows",
    tool: "list_l4_flows",
    transform: flowsContent,
    resource: {
      uri: "ui://kubeshark/flows.html",
      name: "flows",
      title: "L4 flows",
      description: "list_l4_flows as a sortable, filterable table with bytes, RTT and " +
        "refused/reset states, and a namespace-to-namespace heatmap.",
      mimeType: VIEW_MIME_TYPE,
      _meta: META,
    },
  },
];

/** The view resources, as `resources/list` shows them. */
export function listViewResources(): ViewResource[] {
  return VIEWS.map((view) => view.resource);
}

/** The `resources/read` contents of a view, or undefined when `uri` is not one. */
export async function readViewResource(
  uri: string,
): Promise<
  { uri: string; mimeType: string; text: string; _meta: ViewResource["_meta"] } | undefined
> {
  const view = VIEWS.find((candidate) => candidate.resource.uri === uri);
  if (!view) return undefined;
  const { VIEW_HTML } = await load.viewPages();
  return { uri, mimeType: VIEW_MIME_TYPE, text: VIEW_HTML[view.id], _meta: view.resource._meta };
}

/** The `ui://` resource a tool's answers render in, if any (for `_meta.ui.resourceUri`). */
export function viewUriForTool(toolName: string): string | undefined {
  return VIEWS.find((view) => view.tool === toolName)?.resource.uri;
}

/**
 * The compact `structuredContent` a view receives for a tool's JSON answer, or undefined when
 * the tool has no view. `args` are the call's arguments (the view repeats them to ask for more).
 */
export function viewContentForTool(
  toolName: string,
  answer: unknown,
  args: Record<string, unknown> = {},
): ViewContent | undefined {
  const view = VIEWS.find((candidate) => candidate.tool === toolName);
  return view?.transform(answer, args);
}
