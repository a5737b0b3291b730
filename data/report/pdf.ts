// The PDF briefing atlas (简报图集) with pdfkit: pure JS, so it works from the CLI, the server of browser mode and
// Electron alike (no printToPDF). Chinese text uses Noto Sans CJK SC from the system's .ttc, subset-embedded.
import { createWriteStream, existsSync } from 'node:fs';
import { mapScene, type MapInput, type Prim } from './map';
import type { MonthlyReport, RateRow, TrendPoint } from './monthly';
import { formatCell, listedVillageTable, type Table } from './tables';

type Doc = PDFKit.PDFDocument;

const FONT_CANDIDATES: [string, string, string][] = [
  ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular', 'regular'],
  ['/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', 'NotoSansCJKsc-Bold', 'bold'],
  ['/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular', 'regular'],
  ['/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc', 'NotoSansCJKsc-Bold', 'bold'],
  ['C:\\Windows\\Fonts\\msyh.ttc', 'MicrosoftYaHei', 'regular'],
  ['C:\\Windows\\Fonts\\msyhbd.ttc', 'MicrosoftYaHei-Bold', 'bold'],
];

/** A CJK font: ATLAS_CJK_FONT (a .ttf/.otf, or .ttc#PostScriptName), else Noto Sans CJK / Microsoft YaHei. */
export function findCjkFonts(): { regular: [string, string?]; bold: [string, string?] } {
  const env = process.env.ATLAS_CJK_FONT;
  if (env) {
    const [file, name] = env.split('#');
    if (!existsSync(file)) throw new Error(`ATLAS_CJK_FONT: ${file} does not exist; expected a CJK .ttf/.otf, or file.ttc#PostScriptName`);
    return { regular: [file, name], bold: [file, name] };
  }
  const found = (kind: string) => FONT_CANDIDATES.find(([f, , k]) => k === kind && existsSync(f));
  const regular = found('regular');
  if (!regular) {
    throw new Error(`no Chinese font found (tried ${FONT_CANDIDATES.map((c) => c[0]).join(', ')}); install fonts-noto-cjk or set ATLAS_CJK_FONT`);
  }
  const bold = found('bold') ?? regular;
  return { regular: [regular[0], regular[1]], bold: [bold[0], bold[1]] };
}

const PAGE = { w: 841.89, h: 595.28 }; // A4 landscape
const M = 36;

function colour(c: string): { colour: string | number[]; opacity: number } {
  const m = /^rgba\((\d+),\s*(\d+),\s*(\d+),\s*([\d.]+)\)$/.exec(c);
  return m ? { colour: [Number(m[1]), Number(m[2]), Number(m[3])], opacity: Number(m[4]) } : { colour: c, opacity: 1 };
}

/** pdfkit positions text by its top; the scene gives the baseline (Noto CJK ascent ≈ 0.88 em). */
function text(doc: Doc, s: string, x: number, baseline: number, size: number, opts: { anchor?: 'start' | 'middle' | 'end'; bold?: boolean; fill?: string } = {}): void {
  doc.font(opts.bold ? 'cjk-bold' : 'cjk').fontSize(size);
  const w = doc.widthOfString(s);
  const left = opts.anchor === 'middle' ? x - w / 2 : opts.anchor === 'end' ? x - w : x;
  const c = colour(opts.fill ?? '#111');
  doc.fillColor(c.colour as string, c.opacity).text(s, left, baseline - size * 0.88, { lineBreak: false });
}

export function drawScene(doc: Doc, prims: readonly Prim[]): void {
  for (const p of prims) {
    switch (p.kind) {
      case 'path': {
        if (!p.d) break;
        doc.path(p.d);
        if (p.fill && p.stroke) {
          doc.lineWidth(p.width ?? 1).lineJoin('round');
          const f = colour(p.fill);
          doc.fillOpacity(f.opacity).fillAndStroke(f.colour as string, p.stroke, 'even-odd');
          doc.fillOpacity(1);
        } else if (p.fill) {
          const f = colour(p.fill);
          doc.fillColor(f.colour as string, f.opacity).fill('even-odd');
        } else if (p.stroke) doc.lineWidth(p.width ?? 1).lineJoin('round').stroke(p.stroke);
        break;
      }
      case 'dots':
        if (!p.xy.length) break;
        for (let i = 0; i < p.xy.length; i += 2) doc.circle(p.xy[i], p.xy[i + 1], p.r);
        if (p.stroke) doc.lineWidth(p.r / 4).fillAndStroke(p.fill, p.stroke);
        else doc.fillColor(p.fill, 1).fill();
        break;
      case 'rect': {
        doc.rect(p.x, p.y, p.w, p.h);
        const f = p.fill ? colour(p.fill) : null;
        if (f && p.stroke) {
          doc.lineWidth(p.width ?? 1).fillOpacity(f.opacity).fillAndStroke(f.colour as string, p.stroke);
          doc.fillOpacity(1);
        } else if (f) doc.fillColor(f.colour as string, f.opacity).fill();
        else if (p.stroke) doc.lineWidth(p.width ?? 1).stroke(p.stroke);
        break;
      }
      case 'text':
        if (p.halo) {
          doc.font(p.bold ? 'cjk-bold' : 'cjk').fontSize(p.size);
          const w = doc.widthOfString(p.text);
          const left = p.anchor === 'middle' ? p.x - w / 2 : p.anchor === 'end' ? p.x - w : p.x;
          doc.save().lineWidth(p.size / 4).lineJoin('round').strokeColor('#ffffff')
            .text(p.text, left, p.y - p.size * 0.88, { lineBreak: false, stroke: true, fill: false }).restore();
        }
        text(doc, p.text, p.x, p.y, p.size, { anchor: p.anchor, bold: p.bold, fill: p.fill });
        break;
      case 'image':
        doc.image(p.png, p.x, p.y, { width: p.w, height: p.h });
        break;
      case 'clip':
        doc.save().rect(p.x, p.y, p.w, p.h).clip();
        break;
      case 'unclip':
        doc.restore();
        break;
    }
  }
}

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

interface TableSpec { headers: string[]; widths: number[]; align?: ('left' | 'right')[] }

/**
 * Draws rows from y on; when the page is full, `newPage` (which must finish the current page, add the next
 * and return where the table continues) runs and the header repeats. Returns the y after the table.
 */
function drawTable(doc: Doc, spec: TableSpec, rows: string[][], x: number, y: number, opts: { size?: number; bottom?: number; newPage?: () => number } = {}): number {
  const size = opts.size ?? 8;
  const rowH = size * 1.75;
  const bottom = opts.bottom ?? PAGE.h - M - 14;
  const total = spec.widths.reduce((a, b) => a + b, 0);
  const header = (top: number) => {
    doc.rect(x, top, total, rowH).fill('#e8edf3');
    let cx = x;
    spec.headers.forEach((h, i) => {
      doc.font('cjk-bold').fontSize(size).fillColor('#111').text(h, cx + 3, top + (rowH - size) / 2 - 1, { width: spec.widths[i] - 6, align: spec.align?.[i] ?? 'left', lineBreak: false, height: rowH });
      cx += spec.widths[i];
    });
    return top + rowH;
  };
  let cy = header(y);
  rows.forEach((r, k) => {
    if (cy + rowH > bottom) {
      if (!opts.newPage) throw new Error('table does not fit on the page and no continuation page was given');
      cy = header(opts.newPage());
    }
    if (k % 2 === 1) doc.rect(x, cy, total, rowH).fill('#f6f7f9');
    let cx = x;
    r.forEach((v, i) => {
      doc.font('cjk').fontSize(size).fillColor(v === '未达标' ? '#b2182b' : '#111')
        .text(v, cx + 3, cy + (rowH - size) / 2 - 1, { width: spec.widths[i] - 6, align: spec.align?.[i] ?? 'left', lineBreak: false, height: rowH, ellipsis: true });
      cx += spec.widths[i];
    });
    cy += rowH;
  });
  doc.moveTo(x, cy).lineTo(x + total, cy).lineWidth(0.5).stroke('#999');
  return cy;
}

/** A bar per rate with last month's value as a tick and the target as a red line. */
function rateBars(doc: Doc, r: RateRow, targets: MonthlyReport['targets'], x: number, y: number, w: number): number {
  const bars: [string, number | null, number | null, number][] = [
    ['4G覆盖率', r.mobile, r.mobilePrevious, targets.mobile],
    ['宽带覆盖率', r.broadband, r.broadbandPrevious, targets.broadband],
  ];
  let cy = y;
  for (const [label, now, then, target] of bars) {
    text(doc, `${label} ${pct(now)}（目标 ${pct(target)}${then !== null ? `，上月 ${pct(then)}` : ''}）`, x, cy + 10, 9, { bold: true });
    const by = cy + 15;
    doc.rect(x, by, w, 10).fill('#eeeeee');
    if (now !== null) doc.rect(x, by, w * now, 10).fill(now >= target ? '#1a9850' : '#d7301f');
    if (then !== null) doc.moveTo(x + w * then, by - 2).lineTo(x + w * then, by + 12).lineWidth(1.2).stroke('#333');
    doc.moveTo(x + w * target, by - 4).lineTo(x + w * target, by + 14).lineWidth(1.5).stroke('#b2182b');
    cy += 34;
  }
  return cy;
}

/** Month-by-month 4G and broadband rates as lines, with the targets as dashed lines. */
function trendChart(doc: Doc, title: string, points: readonly TrendPoint[], targets: MonthlyReport['targets'], x: number, y: number, w: number, h: number): void {
  const COLOURS = { mobile: '#2b6cb0', broadband: '#dd6b20' };
  text(doc, title, x, y + 10, 9.5, { bold: true });
  const values = points.flatMap((p) => [p.mobile, p.broadband]).filter((v): v is number => v !== null);
  const lo = Math.max(0, Math.floor((Math.min(targets.broadband, targets.mobile, ...values) - 0.05) * 10) / 10);
  const top = y + 18;
  const left = x + 30;
  const right = x + w - 6;
  const bottom = top + h - 46;
  const py = (v: number) => bottom - ((v - lo) / (1 - lo)) * (bottom - top);
  const px = (i: number) => (points.length === 1 ? (left + right) / 2 : left + (i / (points.length - 1)) * (right - left));
  for (let v = lo; v <= 1.0001; v += 0.1) {
    doc.moveTo(left, py(v)).lineTo(right, py(v)).lineWidth(0.3).stroke('#dddddd');
    text(doc, `${Math.round(v * 100)}%`, left - 3, py(v) + 2.5, 6.5, { anchor: 'end', fill: '#666' });
  }
  for (const [v, c, label] of [[targets.mobile, COLOURS.mobile, '4G目标'], [targets.broadband, COLOURS.broadband, '宽带目标']] as const) {
    doc.moveTo(left, py(v)).lineTo(right, py(v)).dash(3, { space: 2 }).lineWidth(0.8).stroke(c);
    doc.undash();
    text(doc, `${label} ${Math.round(v * 100)}%`, left + 3, py(v) + 8, 6.5, { fill: c });
  }
  for (const key of ['mobile', 'broadband'] as const) {
    const pts = points.map((p, i) => [px(i), p[key]] as const).filter((q): q is readonly [number, number] => q[1] !== null);
    pts.forEach(([cx, v], i) => (i ? doc.lineTo(cx, py(v)) : doc.moveTo(cx, py(v))));
    if (pts.length > 1) doc.lineWidth(1.4).stroke(COLOURS[key]);
    for (const [cx, v] of pts) doc.circle(cx, py(v), 1.8).fill(COLOURS[key]);
  }
  points.forEach((p, i) => text(doc, p.month, px(i), bottom + 10, 6.5, { anchor: 'middle', fill: '#444' }));
  const ly = bottom + 22;
  doc.rect(left, ly - 5, 10, 2).fill(COLOURS.mobile);
  text(doc, '4G覆盖率', left + 13, ly, 7);
  doc.rect(left + 62, ly - 5, 10, 2).fill(COLOURS.broadband);
  text(doc, '宽带覆盖率', left + 75, ly, 7);
}

export interface AtlasInput {
  report: MonthlyReport;
  map: Omit<MapInput, 'county' | 'emphasise'>;
  /** Layer names and sources for the data-source line. */
  sources: string[];
  /** When the month has no saved snapshot and the current analysis stands in. */
  note?: string;
  generatedAt?: Date;
}

function footer(doc: Doc, a: AtlasInput, page: number): void {
  const m = a.report;
  const left = `数据来源：${a.sources.join('；') || '工作空间'}${m.synthetic ? '\u3000｜\u3000演示数据（合成，非实测）' : ''}`;
  doc.font('cjk').fontSize(7).fillColor('#666').text(left, M, PAGE.h - M + 8, { width: PAGE.w - 2 * M - 60, height: 9, ellipsis: true });
  doc.text(`第 ${page} 页`, PAGE.w - M - 60, PAGE.h - M + 8, { width: 60, align: 'right', lineBreak: false });
}

function heading(doc: Doc, title: string, sub: string): void {
  text(doc, title, M, M + 16, 18, { bold: true });
  text(doc, sub, M, M + 34, 9, { fill: '#555' });
}

/** Writes the atlas to `path`; resolves when the file is complete. Returns the page count. */
export async function writeAtlasPdf(a: AtlasInput, path: string): Promise<number> {
  const fonts = findCjkFonts();
  const m = a.report;
  // Loaded on first use, as playwright-core in png.ts: a bundle would load pdfkit (and fontkit) at every start.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 0, autoFirstPage: false, info: {
    Title: `赣州市农村通信覆盖攻坚 ${m.monthZh} 简报图集`, Author: 'Coverage Atlas 覆盖图谱', Subject: m.synthetic ? '演示数据' : '',
  } });
  const done = new Promise<void>((resolve, reject) => {
    const out = createWriteStream(path);
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
    doc.pipe(out);
  });
  doc.registerFont('cjk', ...fonts.regular);
  doc.registerFont('cjk-bold', ...fonts.bold);
  let pages = 0;
  const page = () => {
    doc.addPage();
    pages++;
  };
  const subtitle = `${m.monthZh}（数据日期 ${m.date}${m.previous ? `，对比 ${m.previous.label}（${m.previous.date}）` : '，无上月快照可对比'}）`;

  // Cover.
  page();
  doc.rect(0, 0, PAGE.w, 150).fill('#1f3b5a');
  text(doc, '赣州市农村通信网络覆盖攻坚', M + 10, 78, 28, { bold: true, fill: '#ffffff' });
  text(doc, `简报图集 · ${m.monthZh}`, M + 10, 118, 20, { fill: '#ffffff' });
  const c = m.city;
  const lines = [
    `全市 ≥${m.targets.minHouseholds}户聚居区 ${c.settlements} 个，${c.households} 户`,
    `4G 覆盖率 ${pct(c.mobile)}（目标 ${pct(m.targets.mobile)}）\u3000宽带覆盖率 ${pct(c.broadband)}（目标 ${pct(m.targets.broadband)}）`,
    m.previous ? `较 ${m.previous.label}：消除盲点 ${c.closed} 个，新增失覆盖 ${c.lost} 个，剩余盲点 ${c.remaining} 个` : `剩余盲点 ${c.remaining} 个`,
    `到期未销号整改台账 ${m.ledgerDue.length} 条`,
    m.reminder,
  ];
  lines.forEach((l, i) => text(doc, l, M + 10, 210 + i * 26, 13));
  if (a.note) text(doc, a.note, M + 10, 210 + lines.length * 26 + 6, 10, { fill: '#b2182b' });
  if (m.synthetic) {
    doc.rect(M + 10, 400, 330, 40).lineWidth(1.5).stroke('#b2182b');
    text(doc, '演示数据：合成数据，非实测，仅供演示', M + 24, 426, 14, { bold: true, fill: '#b2182b' });
  }
  text(doc, `数据日期 ${m.date}\u3000生成于 ${(a.generatedAt ?? new Date()).toISOString().slice(0, 16).replace('T', ' ')} UTC\u3000覆盖图谱 Coverage Atlas`, M + 10, PAGE.h - M - 10, 9, { fill: '#555' });
  footer(doc, a, pages);

  // City overview: map left, county table right.
  const focus = m.counties.filter((r) => r.focus).map((r) => r.county);
  page();
  heading(doc, `全市覆盖总览 · ${m.monthZh}`, subtitle);
  const frame = { x: M, y: M + 44, w: 470, h: PAGE.h - 2 * M - 52 };
  drawScene(doc, mapScene({ ...a.map, emphasise: focus }, frame));
  const tx = frame.x + frame.w + 12;
  const countyRows = [...m.counties, m.city].map((r) => [r === m.city ? '全市' : `${r.county}${r.focus ? '★' : ''}`, pct(r.mobile), pct(r.broadband), String(r.remaining), m.previous ? String(r.closed) : '—']);
  const tableEnd = drawTable(doc, { headers: ['县（市、区）', '4G', '宽带', '盲点', '本月消除'], widths: [78, 54, 54, 48, 50], align: ['left', 'right', 'right', 'right', 'right'] },
    countyRows, tx, frame.y, { size: 7.5 });
  trendChart(doc, '全市覆盖率逐月趋势', m.trend.city, m.targets, tx, tableEnd + 10, PAGE.w - M - tx, frame.y + frame.h - tableEnd - 26);
  text(doc, '★ 重点县（2020年脱贫摘帽）；覆盖率按≥25户聚居区个数计', tx, frame.y + frame.h - 2, 7, { fill: '#555' });
  footer(doc, a, pages);

  // Focus counties.
  for (const r of m.counties.filter((x) => x.focus)) {
    page();
    heading(doc, `${r.county} · ${m.monthZh}`, `${subtitle}\u3000挂点领导：${r.leader ?? '—'}`);
    const f = { x: M, y: M + 44, w: 440, h: PAGE.h - 2 * M - 52 };
    drawScene(doc, mapScene({ ...a.map, county: r.county }, f));
    const x = f.x + f.w + 14;
    const w = PAGE.w - M - x;
    text(doc, `挂点领导：${r.leader ?? '—'}`, x, f.y + 12, 11, { bold: true });
    text(doc, `≥${m.targets.minHouseholds}户聚居区 ${r.settlements} 个，${r.households} 户`, x, f.y + 30, 8.5);
    text(doc, `剩余盲点 ${r.remaining} 个${m.previous ? `；本月消除 ${r.closed} 个，新增失覆盖 ${r.lost} 个` : ''}`, x, f.y + 42, 8.5);
    let y = rateBars(doc, r, m.targets, x, f.y + 50, w - 10);
    const listed = m.listedVillages.filter((v) => v.county === r.county);
    const listedMet = listed.filter((v) => v.mobileMet && v.broadbandMet).length;
    text(doc, `重点村 ${listed.length} 个，4G与宽带均达标 ${listedMet} 个`, x, y + 8, 9);
    y += 22;
    text(doc, '户数最多的盲点（前8）', x, y + 6, 10, { bold: true });
    const top = m.blindSpots.filter((b) => b.county === r.county).slice(0, 8)
      .map((b) => [b.name, `${b.township}${b.village}`, String(b.households), [b.missingMobile ? '4G' : '', b.missingBroadband ? '宽带' : ''].filter(Boolean).join('、')]);
    if (top.length) {
      drawTable(doc, { headers: ['聚居区', '乡镇 村', '户数', '缺'], widths: [56, w - 56 - 36 - 50, 36, 50], align: ['left', 'left', 'right', 'left'] }, top, x, y + 12, { size: 7.5 });
    } else text(doc, '无盲点', x, y + 24, 9);
    const chartTop = f.y + f.h - 150;
    trendChart(doc, `${r.county}覆盖率逐月趋势`, m.trend.counties[r.county] ?? [], m.targets, x, chartTop, w, 150);
    footer(doc, a, pages);
  }

  // Listed villages.
  page();
  const table: Table = listedVillageTable(m);
  heading(doc, `重点村覆盖情况（${m.listedVillages.length} 个）· ${m.monthZh}`, `${subtitle}；目标：4G ≥${pct(m.targets.mobile)}，宽带 ≥${pct(m.targets.broadband)}`);
  const pick = [0, 1, 2, 4, 6, 7, 9, 10, 11, 13, 14, 16];
  const rows = table.rows.map((row) => pick.map((i) => formatCell(row[i], table.columns[i].kind) || '—'));
  drawTable(doc, {
    headers: ['县（市、区）', '乡镇', '村', '聚居区', '4G', '上月4G', '4G达标', '宽带', '上月宽带', '宽带达标', '本月消除', '剩余盲点'],
    widths: [66, 70, 96, 46, 56, 56, 52, 56, 56, 56, 52, 52],
    align: ['left', 'left', 'left', 'right', 'right', 'right', 'left', 'right', 'right', 'left', 'right', 'right'],
  }, rows, M, M + 46, {
    size: 7.5,
    newPage: () => {
      footer(doc, a, pages);
      page();
      heading(doc, '重点村覆盖情况（续）', subtitle);
      return M + 46;
    },
  });
  footer(doc, a, pages);

  if (m.ledgerDue.length) {
    page();
    heading(doc, `本月到期未销号整改台账（${m.ledgerDue.length} 条）`, `截至 ${m.month} 月底到期；${m.reminder}`);
    drawTable(doc, { headers: ['条目', '聚居区', '运营商', '整改措施', '责任人', '完成时限', '状态', '逾期'], widths: [120, 80, 60, 80, 120, 80, 60, 50] },
      m.ledgerDue.map((i) => [i.itemId, i.settlementId, i.operator ?? '', i.measure, i.responsible, i.deadline ?? '', i.status, i.overdue ? '逾期' : '']),
      M, M + 46, { size: 8, newPage: () => { footer(doc, a, pages); page(); return M + 46; } });
    footer(doc, a, pages);
  }
  doc.end();
  await done;
  return pages;
}
