// Settings: the analysis and planning parameters, the opt-in online basemap (天地图 with the user's key, or a
// custom tile URL; off by default), and the map's smooth mode.
import { useState } from 'react';
import type { PlanningSettings, Settings } from '../../api/contract';
import type { MessageKey } from '../i18n/zh-CN';
import { useI18n } from '../i18n/context';
import { lowersWhileMoving, type SmoothMap } from '../map/smooth-map';

type Online = Settings['onlineBasemap'];

export function SettingsPanel({ settings, onSave }: { settings: Settings; onSave: (online: Online) => Promise<void> }) {
  const { t } = useI18n();
  const [online, setOnline] = useState<Online>(settings.onlineBasemap);
  const [saved, setSaved] = useState(false);
  const set = (patch: Partial<Online>) => { setOnline({ ...online, ...patch }); setSaved(false); };
  return (
    <form className="settings" data-testid="settings" onSubmit={(e) => { e.preventDefault(); void onSave(online).then(() => setSaved(true)); }}>
      <h4>{t('onlineBasemap')}</h4>
      <label className="toggle">
        <input type="checkbox" checked={online.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> {t('onlineEnabled')}
      </label>
      <label className="row">{t('provider')}
        <select value={online.provider} onChange={(e) => set({ provider: e.target.value as Online['provider'] })}>
          <option value="tianditu">{t('providerTianditu')}</option>
          <option value="custom">{t('providerCustom')}</option>
        </select>
      </label>
      {online.provider === 'tianditu'
        ? <label className="row">{t('tiandituKey')}<input type="text" value={online.key} autoComplete="off" onChange={(e) => set({ key: e.target.value })} /></label>
        : <label className="row">{t('urlTemplate')}<input type="url" value={online.urlTemplate} placeholder="https://…/{z}/{x}/{y}.png" onChange={(e) => set({ urlTemplate: e.target.value })} /></label>}
      <p className="muted">{t('onlineReload')}</p>
      <button type="submit" className="primary">{t('save')}</button> {saved && <span className="met">{t('saved')}</span>}
    </form>
  );
}

/** The smooth map mode, applied as soon as it is chosen; `renderer`: what draws this map's WebGL, if known. */
export function DisplaySettings({ settings, renderer, onChange }: {
  settings: Settings; renderer: { name: string; software: boolean } | null; onChange: (mode: SmoothMap) => Promise<void>;
}) {
  const { t } = useI18n();
  const [mode, setMode] = useState<SmoothMap>(settings.smoothMap);
  return (
    <div className="settings" data-testid="display-settings">
      <h4>{t('smoothMap')}</h4>
      <label className="row">
        <select data-testid="smooth-map" value={mode} onChange={(e) => { const next = e.target.value as SmoothMap; setMode(next); void onChange(next); }}>
          <option value="auto">{t('smoothMapAuto')}</option>
          <option value="always">{t('smoothMapAlways')}</option>
          <option value="never">{t('smoothMapNever')}</option>
        </select>
      </label>
      <p className="muted">{t('smoothMapHint')}</p>
      {renderer && (
        <p className="muted" data-testid="map-renderer">
          {t(renderer.software ? 'rendererSoftware' : 'rendererHardware', { name: renderer.name || 'WebGL' })}
          {' '}{t(lowersWhileMoving(mode, renderer.software) ? 'smoothMapOn' : 'smoothMapOff')}
        </p>
      )}
    </div>
  );
}

type Params = { analysis: Settings['analysis']; planning: PlanningSettings };

/** A number field bound to one value; `scale` shows fractions as percentages. */
function NumberField({ label, value, onChange, step = 'any', scale = 1, testId }: {
  label: string; value: number | undefined; onChange: (v: number) => void; step?: string; scale?: number; testId: string;
}) {
  return (
    <label className="row">{label}
      <input type="number" step={step} data-testid={testId} value={value === undefined ? '' : +(value * scale).toFixed(6)}
        onChange={(e) => onChange(Number(e.target.value) / scale)} />
    </label>
  );
}

const WEIGHT_KEYS = ['households', 'focusCounty', 'listed', 'committee', 'nearCoverage', 'nearInfrastructure'] as const;

export function ParameterSettings({ settings, onSave }: { settings: Settings; onSave: (p: Params) => Promise<void> }) {
  const { t } = useI18n();
  const [p, setP] = useState<Params>({ analysis: settings.analysis, planning: settings.planning });
  const [state, setState] = useState<{ saved: boolean; error: string | null }>({ saved: false, error: null });
  const analysis = (patch: Partial<Params['analysis']>) => { setP({ ...p, analysis: { ...p.analysis, ...patch } }); setState({ saved: false, error: null }); };
  const planning = <K extends keyof PlanningSettings>(key: K, patch: Partial<PlanningSettings[K]>) => {
    setP({ ...p, planning: { ...p.planning, [key]: { ...p.planning[key], ...patch } } });
    setState({ saved: false, error: null });
  };
  const submit = () => onSave(p).then(() => setState({ saved: true, error: null }),
    (e: unknown) => setState({ saved: false, error: e instanceof Error ? e.message : String(e) }));
  return (
    <form className="settings" data-testid="parameters" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h4>{t('paramsAnalysis')}</h4>
      <NumberField label={t('paramMinHouseholds')} testId="param-minHouseholds" step="1" value={p.analysis.minHouseholds} onChange={(v) => analysis({ minHouseholds: v })} />
      <NumberField label={t('paramTargetMobile')} testId="param-targetMobile" scale={100} value={p.analysis.targetMobile} onChange={(v) => analysis({ targetMobile: v })} />
      <NumberField label={t('paramTargetBroadband')} testId="param-targetBroadband" scale={100} value={p.analysis.targetBroadband} onChange={(v) => analysis({ targetBroadband: v })} />
      <NumberField label={t('paramThreshold')} testId="param-threshold" value={p.analysis.measurementThresholdDbm ?? -105} onChange={(v) => analysis({ measurementThresholdDbm: v })} />
      <NumberField label={t('paramRadius')} testId="param-radius" value={p.analysis.measurementRadiusM ?? 300} onChange={(v) => analysis({ measurementRadiusM: v })} />
      <h4>{t('paramsRank')}</h4>
      {WEIGHT_KEYS.map((k) => (
        <NumberField key={k} label={t(`weight_${k}` as MessageKey)} testId={`weight-${k}`} value={p.planning.rankWeights[k]}
          onChange={(v) => planning('rankWeights', { [k]: v })} />
      ))}
      <h4>{t('paramsCost')}</h4>
      <NumberField label={t('paramDetour')} testId="param-detour" value={p.planning.fiber.detourFactor} onChange={(v) => planning('fiber', { detourFactor: v })} />
      <NumberField label={t('paramCostPerKm')} testId="param-costPerKm" value={p.planning.fiber.costPerKm} onChange={(v) => planning('fiber', { costPerKm: v })} />
      <NumberField label={t('paramCostPerSettlement')} testId="param-costPerSettlement" value={p.planning.fiber.costPerSettlement} onChange={(v) => planning('fiber', { costPerSettlement: v })} />
      <NumberField label={t('paramTowerRadius')} testId="param-towerRadius" value={p.planning.tower.radiusM} onChange={(v) => planning('tower', { radiusM: v })} />
      <NumberField label={t('paramTowerCost')} testId="param-towerCost" value={p.planning.tower.cost} onChange={(v) => planning('tower', { cost: v })} />
      <button type="submit" className="primary">{t('save')}</button> {state.saved && <span className="met">{t('saved')}</span>}
      {state.error && <p className="not-met" data-testid="param-error">{state.error}</p>}
    </form>
  );
}
