import { Resvg } from '@resvg/resvg-js';

/** Share of pixels that are not (near) white: decodes a PNG by drawing it inside an SVG with resvg. */
export function inkShare(png: Buffer, width: number, height: number): number {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><image width="${width}" height="${height}" href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
  const px = new Resvg(svg, { background: 'white' }).render().pixels;
  let ink = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i] < 235 || px[i + 1] < 235 || px[i + 2] < 235) ink++;
  return ink / (px.length / 4);
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
