// Language-aware text: message lookup and number formatting. Pure; the React hook lives in ./context.
import { en } from './en';
import { zhCN, type MessageKey } from './zh-CN';

export type Lang = 'zh-CN' | 'en';

const dictionaries: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

export type Params = Record<string, string | number>;

/** Looks up a message and fills its {placeholders}; unknown placeholders stay as written. */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text = dictionaries[lang][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

const intFormats = new Map<Lang, Intl.NumberFormat>();

/**
 * A rate (fraction) as a percentage with one decimal: 0.95312 → "95.3%". The UI formats the report's
 * own fractions and never recomputes them, and rounds exactly as the CLI does ((rate × 100).toFixed(1)):
 * Intl.NumberFormat rounds the shortest decimal form instead (0.9535 → 95.4 where toFixed gives 95.3),
 * so it would disagree with the CLI in the last digit. Both languages write the decimal point as ".".
 * Null (no eligible settlement) has no rate.
 */
export function formatPercent(rate: number | null, _lang: Lang): string | null {
  if (rate === null || !Number.isFinite(rate)) return null;
  return `${(rate * 100).toFixed(1)}%`;
}

/** Integers with the language's grouping (12,345). */
export function formatInt(n: number, lang: Lang): string {
  let f = intFormats.get(lang);
  if (!f) {
    f = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
    intFormats.set(lang, f);
  }
  return f.format(n);
}

const dateFormats = new Map<Lang, Intl.DateTimeFormat>();

/** A timestamp (ISO 8601) as a local date and time in the language's style; the input as is when unreadable. */
export function formatDateTime(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  let f = dateFormats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    dateFormats.set(lang, f);
  }
  return f.format(d);
}

export interface I18n {
  lang: Lang;
  t: (key: MessageKey, params?: Params) => string;
  pct: (rate: number | null) => string | null;
  int: (n: number) => string;
  date: (iso: string) => string;
}

export function makeI18n(lang: Lang): I18n {
  return {
    lang,
    t: (key, params) => translate(lang, key, params),
    pct: (rate) => formatPercent(rate, lang),
    int: (n) => formatInt(n, lang),
    date: (iso) => formatDateTime(iso, lang),
  };
}
