// Exports written by the desktop menu: the blind-spot list as CSV (opens in Excel/WPS) and the report as JSON.
import type { BlindSpot, Settings } from '../api/contract';

const HEADERS: Record<Settings['language'], string[]> = {
  'zh-CN': ['编号', '聚居区', '县（市、区）', '乡镇', '行政村', '户数', '经度', '纬度', '挂牌村', '督战县', '村委会所在地', '缺4G', '缺宽带'],
  en: ['id', 'settlement', 'county', 'township', 'village', 'households', 'lon', 'lat', 'listed', 'focus county', 'committee seat', 'no 4G', 'no broadband'],
};

function cell(value: string | number | boolean, language: Settings['language']): string {
  const text = typeof value === 'boolean' ? (language === 'en' ? (value ? 'yes' : 'no') : value ? '是' : '否') : String(value);
  // Quote when needed; a leading =,+,-,@ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV with a UTF-8 BOM (Excel needs it to read Chinese) and CRLF line ends. */
export function blindSpotsCsv(spots: readonly BlindSpot[], language: Settings['language']): string {
  const rows = spots.map((s) => [s.id, s.name, s.county, s.township, s.village, s.households, s.lon, s.lat, s.listed, s.focusCounty, s.committee, s.missingMobile, s.missingBroadband]
    .map((v) => cell(v, language)).join(','));
  return '\ufeff' + [HEADERS[language].join(','), ...rows].join('\r\n') + '\r\n';
}
