// The organization's session recordings (GET /api/recordings) and their asciicast files
// (GET /api/recordings/:id/download).
import { api, fileOf, ok, type Page, type Schemas } from "./http.ts";

export type Recording = Schemas["Recording"];

export function listRecordings(page = 1, pageSize = 50): Promise<Page<Recording>> {
  return ok(api.GET("/api/recordings", { params: { query: { page, page_size: pageSize } } }));
}

export const downloadRecording = (id: string) =>
  fileOf(api.GET("/api/recordings/{id}/download", { params: { path: { id } }, parseAs: "blob" }));
