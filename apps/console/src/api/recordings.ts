// The organization's session recordings (GET /api/recordings) and their asciicast files
// (GET /api/recordings/:id/download).
import { download, request } from "./http.ts";
import { field, type Page, pageQuery, str, toPage, type Wire } from "./wire.ts";

export interface Recording {
  id: string;
  sessionPublicId: string;
  fileName: string;
  sizeBytes: number;
  durationSeconds: number;
  status: string;
  downloadable: boolean;
  createdAt: string;
}

const toRecording = (r: Wire): Recording => ({
  id: str(r, "id"),
  sessionPublicId: str(r, "sessionPublicId"),
  fileName: str(r, "fileName"),
  sizeBytes: Number(field(r, "fileSizeBytes") ?? 0),
  durationSeconds: Number(field(r, "durationSeconds") ?? 0),
  status: str(r, "status"),
  downloadable: field(r, "isDownloadable") === true,
  createdAt: str(r, "createdAt"),
});

export async function listRecordings(page = 1, pageSize = 50): Promise<Page<Recording>> {
  const body = await request<unknown>("GET", "/api/recordings", { query: pageQuery(page, pageSize) });
  return toPage(body, toRecording);
}

export const downloadRecording = (id: string) =>
  download(`/api/recordings/${encodeURIComponent(id)}/download`);
