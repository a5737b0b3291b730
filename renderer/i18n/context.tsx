// The current language for React components.
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { makeI18n, type I18n, type Lang } from './format';

const I18nContext = createContext<I18n>(makeI18n('zh-CN'));

export function I18nProvider({ lang, children }: { lang: Lang; children: ReactNode }) {
  const value = useMemo(() => makeI18n(lang), [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
