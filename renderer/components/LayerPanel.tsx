// Layer toggles, opacity sliders, filters and the legend, over the map's top-left corner.
import { useState } from 'react';
import type { County } from '../../api/contract';
import type { Operator } from '../../gis/types';
import { OPERATORS } from '../../gis/types';
import { useI18n } from '../i18n/context';
import { BROADBAND_COLOR, OPERATOR_COLORS, STATUS_COLORS, STATUSES, type Filters, type SettlementStatus } from '../map/style';

export interface LayerState {
  mobile: Record<Operator, boolean>;
  broadband: boolean;
  mobileOpacity: number;
  broadbandOpacity: number;
  settlements: boolean;
  boundaries: boolean;
}

export const INITIAL_LAYERS: LayerState = {
  mobile: { CMCC: true, CT: true, CU: true },
  broadband: false,
  mobileOpacity: 0.18,
  broadbandOpacity: 0.25,
  settlements: true,
  boundaries: true,
};

interface Props {
  layers: LayerState;
  onLayers: (next: LayerState) => void;
  filters: Filters;
  onFilters: (next: Filters) => void;
  counties: string[];
  focusCounties: County[];
  onZoomCounty: (county: string) => void;
  minHouseholds: number;
  counts: Record<SettlementStatus, number>;
  hasMobile: boolean;
  hasBroadband: boolean;
}

function Swatch({ color, ring }: { color: string; ring?: boolean }) {
  return <span className={ring ? 'swatch ring' : 'swatch'} style={ring ? undefined : { background: color }} />;
}

export function LayerPanel(p: Props) {
  const { t, int } = useI18n();
  const set = (patch: Partial<LayerState>) => p.onLayers({ ...p.layers, ...patch });
  const filter = (patch: Partial<Filters>) => p.onFilters({ ...p.filters, ...patch });
  const [open, setOpen] = useState(true);
  if (!open) {
    return (
      <div className="layer-panel closed" data-testid="layer-panel">
        <button type="button" className="panel-toggle" data-testid="panel-toggle" aria-expanded={false} onClick={() => setOpen(true)}>☰ {t('layers')}</button>
      </div>
    );
  }
  return (
    <div className="layer-panel" data-testid="layer-panel">
      <button type="button" className="panel-toggle close" data-testid="panel-toggle" aria-expanded title={t('hidePanel')} onClick={() => setOpen(false)}>×</button>
      <section>
        <h4>{t('layers')}</h4>
        {!p.hasMobile && !p.hasBroadband && <p className="muted">{t('noCoverageLayer')}</p>}
        {p.hasMobile && (
          <div className="group">
            <div className="group-title">{t('layerMobile')}</div>
            {OPERATORS.map((op) => (
              <label key={op} className="toggle">
                <input type="checkbox" data-testid={`toggle-mobile-${op}`} checked={p.layers.mobile[op]}
                  onChange={(e) => set({ mobile: { ...p.layers.mobile, [op]: e.target.checked } })} />
                <Swatch color={OPERATOR_COLORS[op]} /> {t(`op_${op}`)}
              </label>
            ))}
            <label className="slider">{t('opacity')}
              <input type="range" min={0} max={1} step={0.05} value={p.layers.mobileOpacity} data-testid="opacity-mobile"
                onChange={(e) => set({ mobileOpacity: Number(e.target.value) })} />
            </label>
          </div>
        )}
        {p.hasBroadband && (
          <div className="group">
            <label className="toggle">
              <input type="checkbox" data-testid="toggle-broadband" checked={p.layers.broadband}
                onChange={(e) => set({ broadband: e.target.checked })} />
              <Swatch color={BROADBAND_COLOR} /> {t('layerBroadband')}
            </label>
            <label className="slider">{t('opacity')}
              <input type="range" min={0} max={1} step={0.05} value={p.layers.broadbandOpacity} data-testid="opacity-broadband"
                onChange={(e) => set({ broadbandOpacity: Number(e.target.value) })} />
            </label>
          </div>
        )}
        <label className="toggle">
          <input type="checkbox" data-testid="toggle-settlements" checked={p.layers.settlements}
            onChange={(e) => set({ settlements: e.target.checked })} /> {t('layerSettlements')}
        </label>
        <label className="toggle">
          <input type="checkbox" data-testid="toggle-boundaries" checked={p.layers.boundaries}
            onChange={(e) => set({ boundaries: e.target.checked })} /> {t('layerBoundaries')}
        </label>
      </section>
      <section>
        <h4>{t('filters')}</h4>
        <label className="row">{t('county')}
          <select data-testid="filter-county" value={p.filters.county ?? ''}
            onChange={(e) => {
              const county = e.target.value === '' ? null : e.target.value;
              filter({ county });
              if (county) p.onZoomCounty(county);
            }}>
            <option value="">{t('allCounties')}</option>
            {p.counties.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
        <label className="toggle">
          <input type="checkbox" data-testid="filter-focus" checked={p.filters.focusOnly} onChange={(e) => filter({ focusOnly: e.target.checked })} />
          {t('focusOnly')}
        </label>
        <label className="toggle">
          <input type="checkbox" data-testid="filter-listed" checked={p.filters.listedOnly} onChange={(e) => filter({ listedOnly: e.target.checked })} />
          {t('listedOnly')}
        </label>
        <label className="toggle">
          <input type="checkbox" data-testid="filter-eligible" checked={p.filters.eligibleOnly} onChange={(e) => filter({ eligibleOnly: e.target.checked })} />
          {t('eligibleOnly', { min: p.minHouseholds })}
        </label>
        <label className="row">{t('operator')}
          <select data-testid="filter-operator" value={p.filters.operator ?? ''}
            onChange={(e) => filter({ operator: e.target.value === '' ? null : (e.target.value as Operator) })}>
            <option value="">{t('allOperators')}</option>
            {OPERATORS.map((op) => <option key={op} value={op}>{t(`op_${op}`)}</option>)}
          </select>
        </label>
        {p.focusCounties.length > 0 && (
          <div className="focus-buttons">
            {p.focusCounties.map((c) => (
              <button key={c.code} type="button" onClick={() => p.onZoomCounty(c.name)} title={t('zoomToCounty')}>{c.name}</button>
            ))}
          </div>
        )}
      </section>
      <section className="legend" data-testid="legend">
        <h4>{t('legend')}</h4>
        {STATUSES.map((s) => (
          <div key={s} className="legend-row"><Swatch color={STATUS_COLORS[s]} /> {t(`st_${s}`)} <span className="count">{int(p.counts[s])}</span></div>
        ))}
        <div className="legend-row"><Swatch color="" ring /> {t('legendListed')}</div>
        <div className="legend-row"><span className="star">★</span> {t('legendSeat')}</div>
        <div className="legend-row muted">{t('legendSize')}</div>
      </section>
    </div>
  );
}
