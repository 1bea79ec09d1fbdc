/** download_file: streams a Hub file to disk, inside the download directory, atomically. */
import { z } from "zod";
import { HubFilePath } from "./get_file_url.ts";
import { defineTool, jsonResult } from "./types.ts";

const DownloadInput = z.object({
  path: HubFilePath,
  dest: z.string().min(1).optional().describe(
    "Where to save, relative to the download directory (--download-dir, default the working " +
      "directory). Default: the file's name. A path that leaves that directory is refused.",
  ),
  overwrite: z.boolean().default(false).describe(
    "Replace an existing file at dest (default false: an existing file is an error).",
  ),
});

const DownloadOutput = z.object({
  url: z.string().describe("Where the file was fetched from."),
  path: z.string().describe("Where it was saved (absolute)."),
  size: z.number().int().describe("Its size in bytes."),
  sha256: z.string().describe("Its SHA-256, hex."),
});

/** Downloads a file a Hub tool named. */
export const downloadFile = defineTool({
  name: "download_file",
  title: "Download a file",
  description: "Downloads a file a Hub tool returned as a relative path (e.g. a PCAP from " +
    "export_snapshot_pcap) into the local download directory, and returns its local path, size " +
    "and sha256. Preferred over get_file_url when the file must be opened or analyzed locally.",
  input: DownloadInput,
  output: DownloadOutput,
  task: true,
  annotations: {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: false,
  },
  handler: async ({ path, dest, overwrite }, ctx) => {
    const { session, signal } = ctx;
    const client = await session.hub.client(signal);
    // Loaded on first use: node:crypto and node:path cost start-up time every launch otherwise.
    const { makeDestination, planDestination, refuseExisting, saveAtomically, progressReporter } =
      await import("../files.ts");
    const url = client.fileUrl(path);
    // A dest outside the download directory is refused before anything is asked of the Hub.
    const planned = await planDestination(session.config.downloadDir, path, dest);
    // Then the Hub: a missing file is reported as missing, not as a local name conflict.
    const response = await client.openFile(path, signal);
    let target;
    try {
      target = await makeDestination(planned);
      await refuseExisting(target, overwrite);
    } catch (error) {
      await response.body?.cancel();
      throw error;
    }
    const total = Number(response.headers.get("content-length")) || undefined;
    const { size, sha256 } = await saveAtomically(response, target, {
      signal,
      overwrite,
      maxBytes: session.config.maxDownloadBytes,
      onBytes: progressReporter(ctx.progress, total),
    });
    return jsonResult({ url, path: target, size, sha256 });
  },
});
