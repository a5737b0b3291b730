// Scene → SVG text (units: points). Fonts by family name: Noto Sans CJK SC where installed, then common
// Chinese system fonts, so the same SVG renders on Debian, Windows and macOS.
import type { Prim } from './map';

export const CJK_FONT_FAMILY = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif";

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function dotsPath(xy: number[], r: number): string {
  let d = '';
  for (let i = 0; i < xy.length; i += 2) d += `M${xy[i] - r} ${xy[i + 1]}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;
  return d;
}

export function sceneToSvg(prims: readonly Prim[], width: number, height: number): string {
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}pt" height="${height}pt" viewBox="0 0 ${width} ${height}" font-family="${CJK_FONT_FAMILY}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  let clips = 0;
  let open = 0;
  for (const p of prims) {
    switch (p.kind) {
      case 'path':
        out.push(`<path d="${p.d}" fill="${p.fill ?? 'none'}"${p.fillOpacity !== undefined ? ` fill-opacity="${p.fillOpacity}"` : ''}` +
          `${p.stroke ? ` stroke="${p.stroke}" stroke-width="${p.width ?? 1}" stroke-linejoin="round"` : ''} fill-rule="evenodd"/>`);
        break;
      case 'dots':
        if (p.xy.length) out.push(`<path d="${dotsPath(p.xy, p.r)}" fill="${p.fill}"${p.stroke ? ` stroke="${p.stroke}" stroke-width="${p.r / 4}"` : ''}/>`);
        break;
      case 'rect':
        out.push(`<rect x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" fill="${p.fill ?? 'none'}"` +
          `${p.stroke ? ` stroke="${p.stroke}" stroke-width="${p.width ?? 1}"` : ''}/>`);
        break;
      case 'text': {
        const attrs = `x="${p.x}" y="${p.y}" font-size="${p.size}" text-anchor="${p.anchor ?? 'start'}"${p.bold ? ' font-weight="bold"' : ''}`;
        if (p.halo) out.push(`<text ${attrs} fill="none" stroke="#ffffff" stroke-width="${p.size / 4}" stroke-linejoin="round">${esc(p.text)}</text>`);
        out.push(`<text ${attrs} fill="${p.fill ?? '#111'}">${esc(p.text)}</text>`);
        break;
      }
      case 'image':
        out.push(`<image x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" preserveAspectRatio="none" href="data:image/png;base64,${p.png.toString('base64')}"/>`);
        break;
      case 'clip':
        clips++;
        open++;
        out.push(`<clipPath id="c${clips}"><rect x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}"/></clipPath><g clip-path="url(#c${clips})">`);
        break;
      case 'unclip':
        if (open > 0) {
          open--;
          out.push('</g>');
        }
        break;
    }
  }
  while (open-- > 0) out.push('</g>');
  out.push('</svg>');
  return out.join('\n');
}
