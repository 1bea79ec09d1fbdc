/** MCP resources: reference text the model can read on demand, in every mode. */
import { load } from "./lazy.ts";
import type { ResourceDescriptor } from "./protocol.ts";

/** A resource and how to produce its text (loaded on first read: the text is large). */
interface Resource extends ResourceDescriptor {
  text: () => Promise<string>;
}

const RESOURCES: Resource[] = [
  {
    uri: "kubeshark://docs/kfl2",
    name: "kfl2-reference",
    title: "KFL2 filter reference",
    description:
      "How to write KFL2 filters (the `kfl` argument of list_api_calls and friends): fields, " +
      "operators, examples, common mistakes. Read it before writing a non-trivial filter.",
    mimeType: "text/markdown",
    text: async () => (await load.kflGuide()).KFL_GUIDE,
  },
];

/** The resources `resources/list` shows. */
export function listResources(): ResourceDescriptor[] {
  return RESOURCES.map(({ text: _, ...descriptor }) => descriptor);
}

// --- views hook (#15): MCP Apps view resources, lib/views/ loaded on first use ------------------

/** Every resource a client sees: the reference texts, plus the views if it renders them. */
export async function listResourcesFor(options: { views: boolean }): Promise<ResourceDescriptor[]> {
  if (!options.views) return listResources();
  const { listViewResources } = await load.views();
  return [...listResources(), ...listViewResources()];
}

/** A view resource's `resources/read` contents (with its `_meta.ui`), or undefined. */
export async function readViewResource(uri: string) {
  if (!uri.startsWith("ui://")) return undefined;
  const views = await load.views();
  return await views.readViewResource(uri);
}

/** The resource with this URI, or undefined. */
export function findResource(uri: string): Resource | undefined {
  return RESOURCES.find((resource) => resource.uri === uri);
}
