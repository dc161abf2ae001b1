// Draws the site icon (a QR code's three finder squares on the project's blue) into public/favicon.ico: a 32x32 PNG
// inside an ICO container, which every browser reads. public/favicon.svg is the same drawing for browsers that take SVG.
// Run by hand after changing the drawing (`node scripts/make-favicon.mjs`); the result is committed, not built.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 32;
const BLUE = [0x24, 0x56, 0xd6, 0xff];
const WHITE = [0xff, 0xff, 0xff, 0xff];
const CLEAR = [0, 0, 0, 0];

/** The colour of pixel (x, y): a rounded blue square, three finder patterns and a few modules. */
function colour(x, y) {
  const r = 6;
  const cx = Math.min(Math.max(x + 0.5, r), SIZE - r);
  const cy = Math.min(Math.max(y + 0.5, r), SIZE - r);
  if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 > r * r) return CLEAR;
  for (const [fx, fy] of [
    [4, 4],
    [19, 4],
    [4, 19],
  ]) {
    const dx = x - fx;
    const dy = y - fy;
    if (dx < 0 || dy < 0 || dx > 8 || dy > 8) continue;
    const ring = Math.min(dx, dy, 8 - dx, 8 - dy);
    return ring === 0 || ring >= 2 ? WHITE : BLUE;
  }
  const modules = [
    [20, 20],
    [24, 20],
    [22, 22],
    [26, 22],
    [20, 24],
    [24, 24],
    [22, 26],
    [26, 26],
  ];
  return modules.some(([mx, my]) => x >= mx && x < mx + 2 && y >= my && y < my + 2) ? WHITE : BLUE;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buffer) => {
  let c = 0xffffffff;
  for (const byte of buffer) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA, deflate, no filter method, no interlace
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) raw.set(colour(x, y), y * (SIZE * 4 + 1) + 1 + x * 4);
}
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);

// ICONDIR (6 bytes) + one ICONDIRENTRY (16 bytes) + the PNG.
const ico = Buffer.alloc(22);
ico.writeUInt16LE(0, 0);
ico.writeUInt16LE(1, 2); // type: icon
ico.writeUInt16LE(1, 4); // one image
ico.writeUInt8(SIZE, 6);
ico.writeUInt8(SIZE, 7);
ico.writeUInt16LE(1, 10); // colour planes
ico.writeUInt16LE(32, 12); // bits per pixel
ico.writeUInt32LE(png.length, 14);
ico.writeUInt32LE(22, 18);
writeFileSync(new URL('../public/favicon.ico', import.meta.url), Buffer.concat([ico, png]));
