// Generates media/icon.png (128×128 RGBA): a lens over three bars, drawn pixel by pixel so the icon needs
// no image tool or dependency. Run `node media/make-icon.mjs` after changing the drawing.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SIZE = 128;

/** CRC-32 (PNG chunk checksum); zlib.crc32 only exists from Node 22. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Colour of pixel (x, y), with 4× supersampling for smooth edges. */
function pixel(x, y) {
  let r = 0,
    g = 0,
    b = 0,
    a = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const [pr, pg, pb, pa] = sample(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4);
      r += pr * pa;
      g += pg * pa;
      b += pb * pa;
      a += pa;
    }
  }
  if (a === 0) return [0, 0, 0, 0];
  return [Math.round(r / a), Math.round(g / a), Math.round(b / a), Math.round((a / 16) * 255)];
}

function sample(x, y) {
  // Rounded square background, a vertical blue gradient.
  const inset = 4,
    radius = 22;
  const dx = Math.max(inset + radius - x, 0, x - (SIZE - inset - radius));
  const dy = Math.max(inset + radius - y, 0, y - (SIZE - inset - radius));
  if (dx * dx + dy * dy > radius * radius) return [0, 0, 0, 0];
  const t = y / SIZE;
  let colour = [Math.round(20 + 20 * t), Math.round(70 + 30 * t), Math.round(140 + 40 * t), 1];
  // Three bars (a distribution over options).
  const bars = [
    [30, 78],
    [46, 58],
    [62, 70],
  ];
  for (const [left, top] of bars) {
    if (x >= left && x < left + 12 && y >= top && y < 98) colour = [250, 200, 70, 1];
  }
  // The lens: a ring centred on the bars, and a handle towards the bottom right.
  const cx = 58,
    cy = 62,
    d = Math.hypot(x - cx, y - cy);
  if (d >= 30 && d <= 38) colour = [255, 255, 255, 1];
  const along = (x - cx + (y - cy)) / Math.SQRT2;
  const across = Math.abs(x - cx - (y - cy)) / Math.SQRT2;
  if (along > 37 && along < 70 && across < 7) colour = [255, 255, 255, 1];
  return colour;
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    const [r, g, b, a] = pixel(x, y);
    raw.set([r, g, b, a], y * (SIZE * 4 + 1) + 1 + x * 4);
  }
}
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(fileURLToPath(new URL('./icon.png', import.meta.url)), png);
console.log(`media/icon.png: ${png.length} bytes`);
