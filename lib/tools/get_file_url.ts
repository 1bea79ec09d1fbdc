/** get_file_url: the full URL of a file a Hub tool named by a relative path. */
import { z } from "zod";
import { defineTool, textResult } from "./types.ts";

/** A relative Hub file path, as export_snapshot_pcap returns it. */
export const HubFilePath = z.string().min(1, "path must not be empty").refine(
  (path) => !/^[a-z][a-z0-9+.-]*:/i.test(path) && !path.startsWith("//"),
  "path must be the relative path a Hub tool returned (e.g. /snapshots/abc/data.pcap), not a URL",
).describe("The relative file path returned by a Hub tool (e.g. '/snapshots/abc/data.pcap').");

const GetFileUrlInput = z.object({ path: HubFilePath });

/** Resolves a Hub-relative path to a URL the user can open. */
export const getFileUrl = defineTool({
  name: "get_file_url",
  title: "Get a file's download URL",
  description:
    "Turns the relative file path a Hub tool returned (e.g. from export_snapshot_pcap) into a " +
    "full download URL to share with the user. To fetch the file yourself, use download_file.",
  input: GetFileUrlInput,
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  handler: async ({ path }, ctx) => {
    const client = await ctx.session.hub.client(ctx.signal);
    const url = client.fileUrl(path);
    if (ctx.session.config.mode !== "demo") return textResult(url);
    return textResult(
      `${url}\n(Demo mode: nothing serves this address. Use download_file to save the file, or run ` +
        "`kubeshark-mcp demo-hub` and start this server with --url http://127.0.0.1:8899 for a URL " +
        "that opens.)",
    );
  },
});
