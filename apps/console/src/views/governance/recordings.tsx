// Tenant console › Recordings: the organization's session recordings (asciicast, VNC and RDP) with a download
// for those the server marks downloadable, and "Play" (the player is its own lazy chunk, loaded on the
// first play).
import { useMutation, useQuery } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { lazy } from "preact-iso";
import { downloadRecording, listRecordings, type Recording } from "../../api/index.ts";
import { bytes } from "../../format.ts";
import { DataTable } from "../../ui/data-table.tsx";
import { Failed } from "../../ui/states.tsx";
import { saveFile } from "./save-file.ts";
import { when } from "./time-range.ts";

const RecordingPlayer = lazy(() => import("./player.tsx").then((m) => m.RecordingPlayer));
const VncPlayer = lazy(() => import("../vnc/vnc-player.tsx").then((m) => m.VncPlayer));
const RdpPlayer = lazy(() => import("../desktop/rdp-player.tsx").then((m) => m.RdpPlayer));

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
      <DataTable
        query={q}
        rows={q.data?.data}
        what="recordings"
        empty="No recordings yet. Sessions are recorded when recording is on for the organization."
        rowKey={(r) => r.id}
        columns={[
          { label: "Session", cell: (r) => <code>{r.session_public_id}</code> },
          { label: "Type", cell: (r) => r.session_type },
          { label: "Recorded", cell: (r) => when(r.created_at) },
          { label: "Length", cell: (r) => `${Math.round(r.duration_seconds)} s` },
          { label: "Size", cell: (r) => bytes(r.file_size_bytes) },
          { label: "Status", cell: (r) => r.status },
          {
            label: "Actions",
            actions: true,
            cell: (r) =>
              r.is_downloadable &&
              r.status === "ready" && (
                <div class="row-actions">
                  <button
                    type="button"
                    class="small primary"
                    aria-expanded={playing === r.id}
                    aria-controls={`rec-${r.id}`}
                    onClick={() => setPlaying(playing === r.id ? null : r.id)}
                  >
                    {playing === r.id ? "Close" : "Play"}
                    <span class="sr-only"> the recording of {r.session_public_id}</span>
                  </button>
                  <button type="button" class="small" disabled={get.isPending} onClick={() => get.mutate(r)}>
                    Download<span class="sr-only"> the recording of {r.session_public_id}</span>
                  </button>
                </div>
              ),
          },
        ]}
        detail={(r) =>
          playing === r.id
            ? {
                id: `rec-${r.id}`,
                content:
                  r.codec === "rfb" ? (
                    <VncPlayer id={r.id} />
                  ) : r.codec === "rdp" ? (
                    <RdpPlayer id={r.id} />
                  ) : (
                    <RecordingPlayer id={r.id} />
                  ),
              }
            : null
        }
      />
    </section>
  );
}
