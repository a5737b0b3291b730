// 县区达标: rates by count and by households against the targets, focus counties first.
import { memo } from 'react';
import type { AnalysisSummary, CampaignSeeds } from '../../api/contract';
import type { GroupRate, LayerRate } from '../../gis/report';
import { useI18n } from '../i18n/context';
import { countyRows, rateCells } from './model';

function RateGroup({ rate, testid }: { rate: LayerRate; testid: string }) {
  const i18n = useI18n();
  const cells = rateCells(rate, i18n);
  if (!cells) return <td colSpan={3} className="muted" data-testid={testid}>{i18n.t('noEligible')}</td>;
  return (
    <>
      <td className="num" data-testid={`${testid}-count`}>{cells.byCount}</td>
      <td className="num" data-testid={`${testid}-households`}>{cells.byHouseholds}</td>
      <td className="status">
        <span className={cells.status === 'met' ? 'met' : cells.status === 'notMet' ? 'not-met' : ''} data-testid={`${testid}-met`}>
          {cells.status === 'met' ? i18n.t('met') : cells.status === 'notMet' ? i18n.t('notMet') : '—'}
        </span>
        {cells.status === 'notMet' && <div className="shortfall" data-testid={`${testid}-shortfall`}>{cells.shortfall}</div>}
      </td>
    </>
  );
}

function Row({ name, rate, focus, leader, testid }: { name: string; rate: GroupRate; focus: boolean; leader: string | null; testid: string }) {
  const { t, int } = useI18n();
  return (
    <tr className={focus ? 'focus' : undefined} data-testid={testid} data-county={name}>
      <th scope="row">
        {name} {focus && <span className="tag">{t('focusTag')}</span>}
        {leader && <div className="leader">{t('leader', { name: leader })}</div>}
      </th>
      <td className="num">{int(rate.settlements)}<span className="muted"> / {int(rate.allSettlements)}</span></td>
      <td className="num">{int(rate.households)}</td>
      {rate.settlements === 0
        ? <td colSpan={6} className="muted" data-testid={`${testid}-none`}>{rate.note ?? t('noEligible')}</td>
        : <><RateGroup rate={rate.mobile} testid={`${testid}-mobile`} /><RateGroup rate={rate.broadband} testid={`${testid}-broadband`} /></>}
    </tr>
  );
}

export const CountyTable = memo(function CountyTable({ report, seeds }: { report: AnalysisSummary; seeds: CampaignSeeds | null }) {
  const { t, pct } = useI18n();
  const rows = countyRows(report, seeds);
  const o = report.options;
  return (
    <div className="table-wrap">
      <p className="muted">{t('analysisOptions', { min: o.minHouseholds, m: pct(o.targetMobile) ?? '', b: pct(o.targetBroadband) ?? '' })}</p>
      <table className="rates" data-testid="county-table">
        <thead>
          <tr>
            <th rowSpan={2}>{t('county')}</th>
            <th rowSpan={2}>{t('settlementsCol')}</th>
            <th rowSpan={2}>{t('householdsCol')}</th>
            <th colSpan={3}>{t('mobileRate')} <span className="muted">{t('target', { target: pct(o.targetMobile) ?? '' })}</span></th>
            <th colSpan={3}>{t('broadbandRate')} <span className="muted">{t('target', { target: pct(o.targetBroadband) ?? '' })}</span></th>
          </tr>
          <tr>
            <th>{t('byCount')}</th><th>{t('byHouseholds')}</th><th>{t('metCol')}</th>
            <th>{t('byCount')}</th><th>{t('byHouseholds')}</th><th>{t('metCol')}</th>
          </tr>
        </thead>
        <tbody>
          <Row name={t('city')} rate={report.rates.city} focus={false} leader={null} testid="rate-city" />
          {rows.map((r) => <Row key={r.key} name={r.name} rate={r.rate} focus={r.focus} leader={r.leader} testid={`rate-county-${r.key}`} />)}
        </tbody>
      </table>
    </div>
  );
});
