/** Cloud storage of snapshots: not configured on the demo Hub. */
import { z } from "zod";
import { HubRequestError } from "../state.ts";
import { requiredSnapshotId, tool } from "./common.ts";

const NOT_CONFIGURED =
  "cloud storage is not configured on this Hub (set tap.snapshots.cloud.* in " +
  "Kubeshark's Helm values to enable it)";

/** get_cloud_storage_status. */
export const getCloudStorageStatus = tool(
  "get_cloud_storage_status",
  "Whether snapshots can be uploaded to cloud storage (S3, Azure Blob, GCS).",
  z.object({}),
  () => ({ enabled: false, provider: "", connected: false, message: NOT_CONFIGURED }),
);

/** upload_snapshot_to_cloud. */
export const uploadSnapshotToCloud = tool(
  "upload_snapshot_to_cloud",
  "Upload a completed snapshot to cloud storage (not configured in the demo: always a 400).",
  z.object({ snapshot_id: requiredSnapshotId }),
  () => {
    throw new HubRequestError(400, NOT_CONFIGURED);
  },
);

/** download_snapshot_from_cloud. */
export const downloadSnapshotFromCloud = tool(
  "download_snapshot_from_cloud",
  "Download a snapshot from cloud storage into the cluster (not configured in the demo: always " +
    "a 400).",
  z.object({
    snapshot_id: z.string().min(1).describe(
      "Required. The id of the snapshot in cloud storage.",
    ),
  }),
  () => {
    throw new HubRequestError(400, NOT_CONFIGURED);
  },
);
