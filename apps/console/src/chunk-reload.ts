// A deploy replaces the hashed chunks; a tab opened before it asks for a chunk that is gone, and in SPA mode
// the assets layer answers index.html with 200, so the import fails on its MIME type. The cure is a reload
// (the new index.html names the new chunks) — but only once a minute, so a broken deploy cannot loop.
const KEY = "nostromo.chunk-reload-at";
const MIN_INTERVAL_MS = 60_000;

export function isChunkLoadError(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /dynamically imported module|Importing a module script failed|error loading dynamically|MIME type|Unable to preload CSS/i.test(
    msg,
  );
}

export function shouldReload(lastReloadAt: number | null, now: number): boolean {
  return lastReloadAt === null || now - lastReloadAt > MIN_INTERVAL_MS;
}

/** Reloads the page once for a stale chunk; false when it already did so within the minute. */
export function reloadForStaleChunk(storage: Storage = sessionStorage, now = Date.now()): boolean {
  const last = Number(storage.getItem(KEY)) || null;
  if (!shouldReload(last, now)) return false;
  storage.setItem(KEY, String(now));
  location.reload();
  return true;
}

export function installChunkReload(): void {
  window.addEventListener("vite:preloadError", (event) => {
    if (reloadForStaleChunk()) event.preventDefault();
  });
  window.addEventListener("unhandledrejection", (event) => {
    if (isChunkLoadError(event.reason) && reloadForStaleChunk()) event.preventDefault();
  });
}
