// Finds villages and settlements by name or 12-digit code through the API, then hands the hit to the map.
import { useEffect, useRef, useState } from 'react';
import type { AtlasApi, SettlementHit } from '../../api/contract';
import { useI18n } from '../i18n/context';

export function SearchBox({ api, onPick }: { api: AtlasApi; onPick: (hit: SettlementHit) => void }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [hits, setHits] = useState<SettlementHit[] | null>(null);
  const seq = useRef(0);

  useEffect(() => {
    const q = text.trim();
    if (q === '') {
      setHits(null);
      return;
    }
    const mine = ++seq.current;
    // Debounced so typing a 12-digit code sends one request, and stale answers are dropped.
    const timer = setTimeout(() => {
      api.searchSettlements(q, 20).then((r) => { if (mine === seq.current) setHits(r); }, () => { if (mine === seq.current) setHits([]); });
    }, 250);
    return () => clearTimeout(timer);
  }, [text, api]);

  return (
    <div className="search">
      <input type="search" data-testid="search" placeholder={t('searchPlaceholder')} value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => { if (e.key === 'Escape') setText(''); }}
        // Leaving the box closes the list; the delay lets a click on a result land first.
        onBlur={() => setTimeout(() => setHits(null), 200)} />
      {hits !== null && (
        <ul className="search-results" data-testid="search-results">
          {hits.length === 0 && <li className="muted">{t('searchNone')}</li>}
          {hits.map((h) => (
            <li key={h.id}>
              <button type="button" onClick={() => { onPick(h); setHits(null); }}>
                <b>{h.name}</b> <span className="muted">{h.county} {h.township} {h.village}{h.code ? ` · ${h.code}` : ''}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
