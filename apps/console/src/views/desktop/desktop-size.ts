// The remote desktop's size from the console's area, and how the drawn screen fits that area. Pure, so
// that the rules are tested without a browser:
// - the requested width is a multiple of 8 (a multiple of 4 is what RDP servers need — xrdp pads a bitmap
//   whose width is not one, and IronRDP's web client 0.7 draws such bitmaps sheared; 8 also keeps
//   16-bpp rows word-aligned), the height even; both within what the display control channel allows
//   (MS-RDPEDISP 2.2.2.2.1: 200 to 8192, width even). A small area (a phone) gets at least 640×480, shown
//   scaled down rather than an unusable remote desktop;
// - the screen is shown at the largest size that fits the area without distortion (letterboxed).
export interface Size {
  width: number;
  height: number;
}

export const MIN_DESKTOP: Size = { width: 640, height: 480 };
const MAX_SIDE = 8192;

export function desktopSizeFor(area: Size): Size {
  const clamp = (v: number, min: number, step: number) =>
    Math.min(MAX_SIDE, Math.max(min, Math.floor(v / step) * step));
  return {
    width: clamp(area.width, MIN_DESKTOP.width, 8),
    height: clamp(area.height, MIN_DESKTOP.height, 2),
  };
}

/** The CSS size the screen is drawn at inside `area`: its aspect kept, as large as fits. */
export function fitInside(area: Size, screen: Size): Size {
  if (screen.width <= 0 || screen.height <= 0) return { width: 0, height: 0 };
  const ratio = Math.min(area.width / screen.width, area.height / screen.height);
  return { width: Math.floor(screen.width * ratio), height: Math.floor(screen.height * ratio) };
}
