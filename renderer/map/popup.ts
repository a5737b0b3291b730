// What a settlement's popup says, as plain data (tested); popupDom.ts draws it.
import type { SettlementResult } from '../../gis/report';
import type { Operator } from '../../gis/types';
import { OPERATORS } from '../../gis/types';
import type { I18n } from '../i18n/format';
import type { SettlementStatus } from './style';
import { settlementStatus } from './data';

export interface PopupRow {
  key: string;
  label: string;
  value: string;
}

export interface PopupContent {
  title: string;
  status: SettlementStatus;
  rows: PopupRow[];
}

function operatorList(ops: readonly Operator[], i18n: I18n): string {
  const sorted = OPERATORS.filter((o) => ops.includes(o));
  return sorted.length === 0 ? i18n.t('notCovered') : sorted.map((o) => i18n.t(`op_${o}`)).join('、');
}

export function popupContent(s: SettlementResult, i18n: I18n, minHouseholds: number): PopupContent {
  const { t } = i18n;
  const yesNo = (b: boolean) => (b ? t('yes') : t('no'));
  return {
    title: s.name,
    status: settlementStatus(s),
    rows: [
      { key: 'households', label: t('pHouseholds'), value: i18n.int(s.households) },
      { key: 'village', label: t('pVillage'), value: s.village },
      { key: 'township', label: t('pTownship'), value: s.township },
      { key: 'county', label: t('pCounty'), value: s.county },
      { key: 'listed', label: t('pListed'), value: yesNo(s.listed) },
      { key: 'committee', label: t('pCommittee'), value: yesNo(s.committee) },
      { key: 'eligible', label: t('pEligible', { min: minHouseholds }), value: yesNo(s.eligible) },
      { key: 'mobile', label: t('pMobile'), value: operatorList(s.mobileOperators, i18n) },
      { key: 'broadband', label: t('pBroadband'), value: operatorList(s.broadbandOperators, i18n) },
      ...measuredRows(s, i18n),
    ],
  };
}

/** Drive-test evidence overrides the polygons for the operators it covers: say so, with where it came from. */
function measuredRows(s: SettlementResult, i18n: I18n): PopupRow[] {
  if (!s.measured) return [];
  const { t } = i18n;
  const value = s.measured.operators.map((o) => t('pMeasuredValue', {
    op: t(`op_${o.operator}`), rsrp: o.bestRsrp, n: o.readings, time: o.lastTime || '—',
    verdict: o.covered ? t('measuredCovered') : t('measuredNotCovered'),
  })).join('；');
  return [{ key: 'measured', label: t('pMeasured'), value: `${value}（${s.measured.sources.join('、')}）` }];
}
