// Page scripts the RDP browser test evaluates in the console's page: what the IronRDP client draws on the
// canvas inside its shadow root — how many colours, a fingerprint of the whole screen, its size and where it
// is drawn, and whether xrdp's logon dialog is sheared. Strings, because they run in the page, not in Node.

/** Distinct colours among a sample of the remote screen's pixels (the canvas inside the client's shadow root). */
export const CANVAS_COLOURS = `(() => {
  const el = document.querySelector("iron-remote-desktop");
  const canvas = el && el.shadowRoot && el.shadowRoot.querySelector("canvas");
  if (!canvas || canvas.width === 0) return 0;
  const copy = document.createElement("canvas");
  copy.width = canvas.width;
  copy.height = canvas.height;
  const ctx = copy.getContext("2d");
  ctx.drawImage(canvas, 0, 0);
  const px = ctx.getImageData(0, 0, copy.width, copy.height).data;
  const seen = new Set();
  for (let i = 0; i < px.length; i += 4 * 97) seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
  return seen.size;
})()`;

/** A fingerprint of the whole remote screen. */
export const CANVAS_HASH = `(() => {
  const canvas = document.querySelector("iron-remote-desktop").shadowRoot.querySelector("canvas");
  const copy = document.createElement("canvas");
  copy.width = canvas.width;
  copy.height = canvas.height;
  copy.getContext("2d").drawImage(canvas, 0, 0);
  const px = copy.getContext("2d").getImageData(0, 0, copy.width, copy.height).data;
  let h = 0;
  for (let i = 0; i < px.length; i += 4) h = (Math.imul(h, 31) + px[i] + (px[i + 1] << 8) + (px[i + 2] << 16)) | 0;
  return h;
})()`;

/** The remote screen's size, where it is drawn, and the host's box. */
export const CANVAS_SIZE = `(() => {
  const canvas = document.querySelector("iron-remote-desktop").shadowRoot.querySelector("canvas");
  const r = canvas.getBoundingClientRect();
  const h = document.querySelector(".desktop-host").getBoundingClientRect();
  return { width: canvas.width, height: canvas.height, box: { x: r.x, y: r.y, width: r.width, height: r.height },
    host: { width: h.width, height: h.height } };
})()`;
export interface CanvasSize {
  width: number;
  height: number;
  box: { x: number; y: number; width: number; height: number };
  host: { width: number; height: number };
}

/** Pixels of xrdp's logon dialog's left margin (inside its border, below its title bar) that differ from
 * the margin's own colour, per thousand: a clean dialog has none; a sheared one is crossed by its rows'
 * contents, dragged sideways line after line. */
export const DIALOG_MARGIN_NOISE = `((dialogWidth, dialogHeight) => {
  const canvas = document.querySelector("iron-remote-desktop").shadowRoot.querySelector("canvas");
  const copy = document.createElement("canvas");
  copy.width = canvas.width;
  copy.height = canvas.height;
  const ctx = copy.getContext("2d");
  ctx.drawImage(canvas, 0, 0);
  const x0 = Math.floor((canvas.width - dialogWidth) / 2) + 6;
  const y0 = Math.floor((canvas.height - dialogHeight) / 2) + 30;
  const px = ctx.getImageData(x0, y0, 30, dialogHeight - 40).data;
  const counts = new Map();
  for (let i = 0; i < px.length; i += 4) {
    const c = (px[i] << 16) | (px[i + 1] << 8) | px[i + 2];
    counts.set(c, (counts.get(c) || 0) + 1);
  }
  const most = Math.max(...counts.values());
  return Math.round((1000 * (px.length / 4 - most)) / (px.length / 4));
})`;
