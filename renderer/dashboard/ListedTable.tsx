// 挂牌村: the named listed villages with their match notes, and the 100% committee-seat check.
import { memo } from 'react';
import type { AnalysisSummary, CampaignSeeds } from '../../api/contract';
import { useI18n } from '../i18n/context';
import { listedRows } from './model';

export const ListedTable = memo(function ListedTable({ report, seeds, onSeat }: {
  report: AnalysisSummary | null;
  seeds: CampaignSeeds;
  onSeat: (id: string) => void;
}) {
  const { t, pct, int } = useI18n();
  const rows = listedRows(seeds, report);
  const seats = report?.committeeSeats;
  return (
    <div className="table-wrap">
      <h4>{t('seatsTitle')}</h4>
      {seats && (seats.total === 0 ? <p className="muted" data-testid="seats-none">{t('seatsNone')}</p> : (
        <>
          <p data-testid="seats-summary">
            {t('seatsSummary', { total: int(seats.total), m: int(seats.mobileCovered), b: int(seats.broadbandCovered) })}{' '}
            <b className={seats.met ? 'met' : 'not-met'}>{seats.met ? t('seatsMet') : t('seatsNotMet')}</b>
          </p>
          {seats.listedVillagesWithoutSeat.length > 0 && (
            <p className="muted">{t('seatsMissing', { items: seats.listedVillagesWithoutSeat.join('、') })}</p>
          )}
        </>
      ))}
      <h4>{t('listedTitle', { n: rows.length })}</h4>
      {seeds.unnamedQuota.length > 0 && (
        <p className="muted">{t('listedUnnamed', { items: seeds.unnamedQuota.map((q) => `${q.county} ${q.count}`).join('、') })}</p>
      )}
      <table className="listed" data-testid="listed-table">
        <thead>
          <tr><th>{t('pCounty')}</th><th>{t('lvTownship')}</th><th>{t('lvName')}</th><th>{t('lvCategory')}</th><th>{t('lvRates')}</th><th>{t('lvSeat')}</th><th>{t('lvMatch')}</th></tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={`${r.village.code ?? ''}-${i}`} className={r.doubtful ? 'doubtful' : undefined}>
              <td>{r.village.county}</td>
              <td>{r.village.township || r.village.listedTownship}</td>
              <td>
                {r.village.officialName ?? '—'} <span className="muted">/ {r.village.listedName}</span>
                {r.doubtful && <span className="tag warn">{t('nameDoubtful')}</span>}
                {!r.matched && <span className="tag warn">{t('notMatched')}</span>}
              </td>
              <td className="category" title={r.village.category}>{r.village.category}</td>
              <td className="num">
                {r.rate && r.rate.settlements > 0
                  ? `${pct(r.rate.mobile.rate) ?? '—'} / ${pct(r.rate.broadband.rate) ?? '—'}`
                  : <span className="muted">{t('noEligible')}</span>}
              </td>
              <td className="seat">
                {r.seat ? (
                  <button type="button" className="link" onClick={() => r.seat && onSeat(r.seat.id)} title={t('seatName')}>
                    {r.seat.name}{' '}
                    <span className={r.seat.mobile ? 'met' : 'not-met'}>4G{r.seat.mobile ? '✓' : '✗'}</span>{' '}
                    <span className={r.seat.broadband ? 'met' : 'not-met'}>{t('pBroadband')}{r.seat.broadband ? '✓' : '✗'}</span>
                  </button>
                ) : <span className="muted">—</span>}
              </td>
              <td className="note">{r.village.matchNote}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});
