// A tenant's status as a coloured word (the word itself carries the meaning, not only the colour).
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status}`}>{status}</span>;
}
