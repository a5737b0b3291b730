// 盲区清单: eligible settlements without 4G or broadband. Rows are rendered a page at a time so a
// list of many thousands stays responsive.
import { memo, useMemo, useState } from 'react';
import type { BlindSpot } from '../../api/contract';
import { useI18n } from '../i18n/context';
import { sortBlindSpots, type BlindSortKey } from './model';

const PAGE = 200;

export interface BlindSpotListProps {
  spots: BlindSpot[];
  onPick: (s: BlindSpot) => void;
  /** Adds blind spots to the rectification ledger (one row, or the rows shown in bulk). */
  onAddLedger?: (spots: BlindSpot[]) => void;
  /** Settlements with an open ledger item. */
  inLedger?: ReadonlySet<string>;
}

export const BlindSpotList = memo(function BlindSpotList({ spots, onPick, onAddLedger, inLedger }: BlindSpotListProps) {
  const { t, int } = useI18n();
  const [key, setKey] = useState<BlindSortKey>('households');
  const [desc, setDesc] = useState(true);
  const [shown, setShown] = useState(PAGE);
  const sorted = useMemo(() => sortBlindSpots(spots, key, desc), [spots, key, desc]);
  const sortBy = (k: BlindSortKey) => {
    if (k === key) setDesc(!desc);
    else { setKey(k); setDesc(k !== 'county' && k !== 'name'); }
  };
  const arrow = (k: BlindSortKey) => (k === key ? (desc ? ' ▼' : ' ▲') : '');
  if (spots.length === 0) return <p className="muted" data-testid="blind-none">{t('blindNone')}</p>;
  return (
    <div className="table-wrap">
      <h4 data-testid="blind-title">{t('blindTitle', { n: int(spots.length) })}
        {onAddLedger && (
          <button type="button" className="bulk" data-testid="blind-add-bulk"
            onClick={() => onAddLedger(sorted.slice(0, shown).filter((s) => !inLedger?.has(s.id)))}>
            {t('addShownToLedger', { n: int(sorted.slice(0, shown).filter((s) => !inLedger?.has(s.id)).length) })}
          </button>
        )}
      </h4>
      <table className="blind" data-testid="blind-table">
        <thead>
          <tr>
            <th><button type="button" onClick={() => sortBy('name')}>{t('blindName')}{arrow('name')}</button></th>
            <th><button type="button" data-testid="sort-county" onClick={() => sortBy('county')}>{t('blindCounty')}{arrow('county')}</button></th>
            <th><button type="button" data-testid="sort-households" onClick={() => sortBy('households')}>{t('blindHouseholds')}{arrow('households')}</button></th>
            <th><button type="button" data-testid="sort-listed" onClick={() => sortBy('listed')}>{t('blindListed')}{arrow('listed')}</button></th>
            <th>{t('blindMissing')}</th>
            {onAddLedger && <th>{t('tabLedger')}</th>}
          </tr>
        </thead>
        <tbody>
          {sorted.slice(0, shown).map((s) => (
            <tr key={s.id} className="clickable" data-testid="blind-row" onClick={() => onPick(s)}>
              <td>{s.name}<div className="muted small">{s.township} {s.village}</div></td>
              <td>{s.county}{s.focusCounty && <span className="tag">{t('focusTag')}</span>}</td>
              <td className="num">{int(s.households)}</td>
              <td>{s.listed ? '✓' : ''}{s.committee ? ' ★' : ''}</td>
              <td className="not-met">{[s.missingMobile && t('missingMobile'), s.missingBroadband && t('missingBroadband')].filter(Boolean).join(' / ')}</td>
              {onAddLedger && (
                <td>
                  {inLedger?.has(s.id)
                    ? <span className="tag" data-testid="in-ledger">{t('inLedger')}</span>
                    : <button type="button" data-testid="blind-add" onClick={(e) => { e.stopPropagation(); onAddLedger([s]); }}>{t('addToLedger')}</button>}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {shown < sorted.length && (
        <button type="button" className="more" onClick={() => setShown(shown + PAGE)}>
          {t('showMore', { n: int(Math.min(PAGE, sorted.length - shown)) })}
        </button>
      )}
    </div>
  );
});
