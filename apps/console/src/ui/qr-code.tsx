// A QR code drawn as one SVG path (uqr encodes; a path, not an image or markup string, so nothing is
// injected and the Content-Security-Policy needs no exception).
import { encode } from "uqr";

/** The dark modules of a QR matrix as a path of unit squares, offset by a quiet-zone border. */
export function qrPath(data: boolean[][], border: number): string {
  let d = "";
  data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) d += `M${x + border} ${y + border}h1v1h-1z`;
    });
  });
  return d;
}

export function QrCode({ text, label, size = 200 }: { text: string; label: string; size?: number }) {
  const qr = encode(text, { ecc: "M" });
  const border = 2;
  const full = qr.size + border * 2;
  return (
    <svg
      viewBox={`0 0 ${full} ${full}`}
      width={size}
      height={size}
      role="img"
      aria-label={label}
      shape-rendering="crispEdges"
      class="qr"
    >
      <rect width={full} height={full} fill="#fff" />
      <path d={qrPath(qr.data, border)} fill="#000" />
    </svg>
  );
}
