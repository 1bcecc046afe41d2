// Tenant console › Recordings: the organization's session recordings (asciicast files) with a download
// for those the server marks downloadable, and "Play" (the player is its own lazy chunk, loaded on the
// first play).
import { useMutation, useQuery } from "@tanstack/preact-query";
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { lazy } from "preact-iso";
import { downloadRecording, listRecordings, type Recording } from "../../api/index.ts";
import { Empty, Failed, Loading } from "../../ui/states.tsx";
import { saveFile } from "./save-file.ts";
import { when } from "./time-range.ts";

const size = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} kB`
      : `${(bytes / 1048576).toFixed(1)} MB`;

const RecordingPlayer = lazy(() => import("./player.tsx").then((m) => m.RecordingPlayer));

export function Recordings() {
  const [playing, setPlaying] = useState<string | null>(null);
  const q = useQuery({ queryKey: ["recordings"], queryFn: () => listRecordings() });
  const get = useMutation({
    mutationFn: (r: Recording) => downloadRecording(r.id),
    onSuccess: (file, r) => saveFile(file.blob, file.fileName ?? r.file_name ?? `${r.id}.cast`),
  });
  return (
    <section aria-labelledby="recordings-title">
      <div class="heading">
        <h1 id="recordings-title">Recordings</h1>
        {q.data && (
          <span class="count">
            {q.data.pagination.total} {q.data.pagination.total === 1 ? "recording" : "recordings"}
          </span>
        )}
      </div>
      {get.isError && <Failed error={get.error} />}
      {q.isPending ? (
        <Loading what="recordings" />
      ) : q.isError ? (
        <Failed error={q.error} retry={() => q.refetch()} />
      ) : q.data.data.length === 0 ? (
        <Empty>No recordings yet. Sessions are recorded when recording is on for the organization.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Recorded</th>
                <th scope="col">Length</th>
                <th scope="col">Size</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {q.data.data.map((r) => (
                <Fragment key={r.id}>
                  <tr>
                    <td data-label="Session">
                      <code>{r.session_public_id}</code>
                    </td>
                    <td data-label="Recorded">{when(r.created_at)}</td>
                    <td data-label="Length">{Math.round(r.duration_seconds)} s</td>
                    <td data-label="Size">{size(r.file_size_bytes)}</td>
                    <td data-label="Status">{r.status}</td>
                    <td>
                      {r.is_downloadable && r.status === "ready" && (
                        <div class="row-actions">
                          <button
                            type="button"
                            class="small primary"
                            aria-expanded={playing === r.id}
                            onClick={() => setPlaying(playing === r.id ? null : r.id)}
                          >
                            {playing === r.id ? "Close" : "Play"}
                            <span class="sr-only"> the recording of {r.session_public_id}</span>
                          </button>
                          <button
                            type="button"
                            class="small"
                            disabled={get.isPending}
                            onClick={() => get.mutate(r)}
                          >
                            Download<span class="sr-only"> the recording of {r.session_public_id}</span>
                          </button>
                        </div>
                      )}
                    </td>
                  </tr>
                  {playing === r.id && (
                    <tr class="detail">
                      <td colSpan={6}>
                        <RecordingPlayer id={r.id} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
