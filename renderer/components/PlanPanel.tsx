// 规划: the headline is "reach the target" — pick a county or a listed village, get the cheapest set of towers
// and fiber runs that lifts it to 95 % / 75 %, see it on the map as a what-if layer, compare two scenarios,
// export one as GeoJSON. Below: k-tower siting and the ranked blind spots with their priority parts.
import { useEffect, useMemo, useState } from 'react';
import type {
  AnalysisSummary, CampaignSeeds, RankedBlindSpotData, ReachPlanData, ScenarioComparisonRow, ScenarioData, ScenarioOutcome, TowerPlanData,
} from '../../api/contract';
import type { GroupRate } from '../../gis/report';
import type { AtlasClient } from '../api';
import { countyRows } from '../dashboard/model';
import { useI18n } from '../i18n/context';
import type { MessageKey } from '../i18n/zh-CN';
import { formatYuan, planSummary } from '../planning/model';
import { deliver } from './deliver';
import { errorMessage as message, useTask } from './task';

export interface PlanPanelProps {
  api: AtlasClient;
  report: AnalysisSummary;
  seeds: CampaignSeeds | null;
  /** The scenario drawn on the map (null: none). */
  onScenario: (scenario: ScenarioData | null) => void;
  /** The shown scenario's rates (computed by the app for the map's scenario). */
  outcome: ScenarioOutcome | null;
  onPickSettlement: (id: string) => void;
}

function RateCell({ before, after, layer }: { before: GroupRate; after: GroupRate; layer: 'mobile' | 'broadband' }) {
  const { t, pct } = useI18n();
  const a = after[layer];
  return (
    <td className="num" data-testid={`reach-${layer}`}>
      {pct(before[layer].rate)} → <b className={a.met ? 'met' : 'not-met'}>{pct(a.rate)}</b>
      <div className="muted small">{t('targetShort', { target: pct(a.target) ?? '' })} · {a.met ? t('met') : t('notMet')}</div>
    </td>
  );
}

export function PlanPanel({ api, report, seeds, onScenario, outcome, onPickSettlement }: PlanPanelProps) {
  const i18n = useI18n();
  const { t, int, pct, lang } = i18n;
  const counties = useMemo(() => countyRows(report, seeds), [report, seeds]);
  const listed = useMemo(() => Object.entries(report.rates.villages).filter(([, r]) => r.listed).map(([k]) => k).sort((a, b) => a.localeCompare(b, 'zh-CN')), [report]);
  const [scope, setScope] = useState(`county:${counties.find((c) => c.focus)?.key ?? counties[0]?.key ?? ''}`);
  const [plan, setPlan] = useState<ReachPlanData | null>(null);
  const { busy, error, setError, notice, setNotice, run } = useTask();
  const [slots, setSlots] = useState<(ScenarioData | null)[]>([null, null]);
  const [comparison, setComparison] = useState<ScenarioComparisonRow[] | null>(null);
  const [k, setK] = useState(3);
  const [limitKind, setLimitKind] = useState<'k' | 'budget'>('k');
  const [budget, setBudget] = useState(200);
  const [towers, setTowers] = useState<TowerPlanData | null>(null);
  const [ranked, setRanked] = useState<RankedBlindSpotData[] | null>(null);


  useEffect(() => {
    let alive = true;
    api.rankedBlindSpots(30).then((r) => { if (alive) setRanked(r); }, (e) => { if (alive) setError(message(e)); });
    return () => { alive = false; };
  }, [api, report]);

  const scopeRequest = () => (scope.startsWith('county:') ? { county: scope.slice(7) } : { village: scope.slice(8) });
  const scopeName = scope.slice(scope.indexOf(':') + 1);

  const reach = async () => {
    const p = await run('reach', () => api.planReach(scopeRequest()));
    if (!p) return;
    setPlan(p);
    const scenario = { name: t('scenarioReachName', { scope: p.scope }), builds: p.builds.map((b) => b.build) };
    onScenario(scenario);
  };

  const current = plan ? { name: t('scenarioReachName', { scope: plan.scope }), builds: plan.builds.map((b) => b.build) } : null;

  const saveSlot = (i: number) => {
    if (!current) return;
    const next = [...slots];
    next[i] = { ...current, name: `${t(i === 0 ? 'scenarioA' : 'scenarioB')} · ${current.name}` };
    setSlots(next);
    setComparison(null);
  };

  const compare = async () => {
    const chosen = slots.filter((s): s is ScenarioData => s !== null);
    const c = await run('compare', () => api.compareScenarios(chosen));
    if (c) setComparison(c);
  };

  const exportScenario = async () => {
    if (!current) return;
    const f = await run('export', () => api.exportScenario({ name: current.name, builds: current.builds }));
    if (f !== undefined) setNotice(deliver(f, i18n));
  };

  const siteTowers = async () => {
    const scopeReq = scopeRequest();
    const limit = limitKind === 'k' ? { k } : { budget: budget * 10_000 };
    const p = await run('towers', () => api.planTowers({ ...scopeReq, ...limit }));
    if (!p) return;
    setTowers(p);
    onScenario({ name: t('towersScenarioName', { k: p.chosen.length }), builds: p.chosen.map((c) => c.build) });
  };

  const summary = plan ? planSummary(plan) : null;
  const yuan = (n: number) => formatYuan(n, lang);
  const focusCounties = counties.filter((c) => c.focus);
  const otherCounties = counties.filter((c) => !c.focus);

  return (
    <div className="plan" data-testid="plan-panel">
      <section className="headline">
        <h3>{t('reachTitle')}</h3>
        <div className="row">
          <select data-testid="plan-scope" value={scope} onChange={(e) => { setScope(e.target.value); setPlan(null); setTowers(null); }}>
            <optgroup label={t('focusCounties')}>
              {focusCounties.map((c) => <option key={c.key} value={`county:${c.key}`}>{c.name}</option>)}
            </optgroup>
            <optgroup label={t('otherCounties')}>
              {otherCounties.map((c) => <option key={c.key} value={`county:${c.key}`}>{c.name}</option>)}
            </optgroup>
            <optgroup label={t('listedVillages')}>
              {listed.map((v) => <option key={v} value={`village:${v}`}>{v.split('/').join(' · ')}</option>)}
            </optgroup>
          </select>
          <button type="button" className="primary" data-testid="plan-reach" disabled={busy !== null} onClick={() => void reach()}>
            {busy === 'reach' ? t('computing') : t('reachButton')}
          </button>
        </div>
        {error && <p className="not-met" data-testid="plan-error">{error}</p>}
        {notice && <p className="muted" data-testid="plan-notice">{notice}</p>}
        {plan && summary && (
          <div data-testid="reach-result" data-scope={plan.scope} data-cost={plan.cost} data-builds={plan.builds.length} data-reached={String(plan.reached)}>
            <p className="reach-headline" data-testid="reach-headline">
              <b>{plan.scope}</b>{' '}
              {plan.builds.length === 0
                ? (plan.reached ? t('reachAlready') : t('reachImpossible'))
                : t('reachSummary', {
                  towers: int(summary.towers), towerCost: yuan(summary.towerCost), fiber: int(summary.fiber), fiberCost: yuan(summary.fiberCost),
                  cost: yuan(summary.cost), households: int(summary.mobileHouseholds + summary.broadbandHouseholds),
                })}
              {' '}<span className={plan.reached ? 'met' : 'not-met'}>{plan.reached ? t('reachReached') : t('reachNotReached')}</span>
            </p>
            <table className="rates">
              <thead><tr><th>{t('scopeCol')}</th><th>{t('needCol')}</th><th>{t('mobileRate')}</th><th>{t('broadbandRate')}</th></tr></thead>
              <tbody>
                <tr>
                  <th scope="row">{plan.scope}<div className="muted small">{t('settlementsN', { n: int(plan.before.settlements) })}</div></th>
                  <td className="num">{t('needText', { m: int(plan.need.mobile), b: int(plan.need.broadband) })}</td>
                  <RateCell before={plan.before} after={plan.after} layer="mobile" />
                  <RateCell before={plan.before} after={plan.after} layer="broadband" />
                </tr>
              </tbody>
            </table>
            <div className="row">
              <button type="button" onClick={() => saveSlot(0)} data-testid="save-scenario-a">{t('saveAsA')}</button>
              <button type="button" onClick={() => saveSlot(1)} data-testid="save-scenario-b">{t('saveAsB')}</button>
              <button type="button" onClick={() => void exportScenario()} data-testid="export-scenario">{t('exportGeoJSON')}</button>
              <button type="button" onClick={() => onScenario(null)}>{t('hideScenario')}</button>
            </div>
            <details open>
              <summary>{t('buildsTitle', { n: int(plan.builds.length), total: int(plan.candidates.towers + plan.candidates.fiber) })}</summary>
              <table className="builds" data-testid="reach-builds">
                <thead><tr><th className="num">#</th><th>{t('buildCol')}</th><th>{t('operator')}</th><th className="num">{t('costCol')}</th><th className="num">{t('cumulativeCol')}</th><th className="num">{t('gainCol')}</th></tr></thead>
                <tbody>
                  {plan.builds.map((b) => (
                    <tr key={b.build.id} data-testid="reach-build" data-kind={b.build.kind}>
                      <td className="num">{b.order}</td>
                      <td><span className={`kind ${b.build.kind}`}>{b.build.kind === 'tower' ? t('kindTower') : t('kindFiber')}</span> {b.build.label}</td>
                      <td>{t(`op_${b.build.operator}` as MessageKey)}</td>
                      <td className="num">{yuan(b.build.cost)}</td>
                      <td className="num">{yuan(b.cumulativeCost)}</td>
                      <td className="num">
                        {b.mobileSettlements > 0 && <div>4G +{int(b.mobileSettlements)} / {t('householdsN', { n: int(b.mobileHouseholds) })}</div>}
                        {b.broadbandSettlements > 0 && <div>{t('broadbandShort')} +{int(b.broadbandSettlements)} / {t('householdsN', { n: int(b.broadbandHouseholds) })}</div>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </div>
        )}
      </section>

      {outcome && <WhatIf report={report} outcome={outcome} counties={[...focusCounties.map((c) => c.key), ...(scope.startsWith('county:') && !focusCounties.some((c) => c.key === scopeName) ? [scopeName] : [])]} />}

      <section data-testid="scenario-compare">
        <h4>{t('compareTitle')}</h4>
        <div className="row">
          <span className="slot">A: {slots[0]?.name ?? t('slotEmpty')}</span>
          <span className="slot">B: {slots[1]?.name ?? t('slotEmpty')}</span>
          <button type="button" data-testid="compare-scenarios" disabled={!slots[0] || !slots[1] || busy !== null} onClick={() => void compare()}>{t('compareButton')}</button>
        </div>
        {comparison && (
          <table className="rates" data-testid="comparison-table">
            <thead><tr><th>{t('scopeCol')}</th>{comparison.map((r) => <th key={r.scenario} className="num">{r.scenario}</th>)}</tr></thead>
            <tbody>
              <tr data-testid="comparison-cost"><th scope="row">{t('costCol')}</th>{comparison.map((r) => <td key={r.scenario} className="num">{yuan(r.cost)}</td>)}</tr>
              <tr><th scope="row">{t('buildsCol')}</th>{comparison.map((r) => <td key={r.scenario} className="num">{int(r.builds)}</td>)}</tr>
              {[{ key: '', name: t('city') }, ...focusCounties].map((c) => (
                <tr key={c.key} data-county={c.key}>
                  <th scope="row">{c.name} <span className="muted small">4G / {t('broadbandShort')}</span></th>
                  {comparison.map((r) => {
                    const g = c.key === '' ? r.city : r.counties[c.key];
                    return <td key={r.scenario} className="num">
                      <span className={g?.mobile.met ? 'met' : 'not-met'}>{pct(g?.mobile.rate ?? null)}</span> / <span className={g?.broadband.met ? 'met' : 'not-met'}>{pct(g?.broadband.rate ?? null)}</span>
                    </td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section>
        <h4>{t('towersTitle')}</h4>
        <div className="row">
          <select value={limitKind} onChange={(e) => setLimitKind(e.target.value as 'k' | 'budget')} data-testid="towers-limit">
            <option value="k">{t('towersK')}</option><option value="budget">{t('towersBudget')}</option>
          </select>
          {limitKind === 'k'
            ? <input type="number" min={1} max={50} value={k} onChange={(e) => setK(Math.max(1, Math.round(Number(e.target.value)) || 1))} style={{ width: 60 }} />
            : <input type="number" min={1} value={budget} onChange={(e) => setBudget(Math.max(1, Number(e.target.value) || 1))} style={{ width: 80 }} />}
          <button type="button" data-testid="plan-towers" disabled={busy !== null} onClick={() => void siteTowers()}>{t('towersButton', { scope: scopeName })}</button>
        </div>
        {towers && <p className="muted small" data-testid="towers-summary">{t('towersSummary', { n: int(towers.chosen.length), cost: yuan(towers.cost), households: int(towers.chosen.reduce((x, c) => x + c.newHouseholds, 0)), gaps: int(towers.gapHouseholds) })}</p>}
        {towers && (
          <table className="builds" data-testid="towers-table">
            <thead><tr><th className="num">#</th><th>{t('buildCol')}</th><th className="num">{t('costCol')}</th><th className="num">{t('gainCol')}</th></tr></thead>
            <tbody>
              {towers.chosen.map((c) => (
                <tr key={c.build.id}><td className="num">{c.order}</td><td>{c.build.label}</td><td className="num">{yuan(c.build.cost)}</td>
                  <td className="num">+{int(c.newSettlements)} / {t('householdsN', { n: int(c.newHouseholds) })}</td></tr>
              ))}
              {towers.chosen.length === 0 && <tr><td colSpan={4} className="muted">{t('towersNone', { gaps: int(towers.gapSettlements) })}</td></tr>}
            </tbody>
          </table>
        )}
      </section>

      <section>
        <h4>{t('rankTitle')}</h4>
        <p className="muted small">{t('rankExplain')}</p>
        {!ranked ? <p className="muted">{t('loading')}</p> : (
          <table className="rank" data-testid="rank-table">
            <thead><tr><th className="num">{t('rankCol')}</th><th>{t('blindName')}</th><th className="num">{t('blindHouseholds')}</th><th>{t('blindMissing')}</th><th className="num">{t('scoreCol')}</th><th>{t('partsCol')}</th></tr></thead>
            <tbody>
              {ranked.map((r) => (
                <tr key={r.id} className="clickable" onClick={() => onPickSettlement(r.id)} data-testid="rank-row">
                  <td className="num">{r.rank}</td>
                  <td>{r.name}<div className="muted small">{r.county} {r.township} {r.village}</div></td>
                  <td className="num">{int(r.households)}</td>
                  <td className="not-met">{[r.missingMobile && t('missingMobile'), r.missingBroadband && t('missingBroadband')].filter(Boolean).join(' / ')}</td>
                  <td className="num"><b>{r.score.toFixed(2)}</b></td>
                  <td className="small">{r.parts.filter((p) => p.points > 0).map((p) => `${t(`rank_${p.key}` as MessageKey)} ${p.points.toFixed(2)}`).join('，')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

/** Rates now and with the shown scenario (方案), for the focus counties (and any other given) and the city. */
export function WhatIf({ report, outcome, counties }: { report: AnalysisSummary; outcome: ScenarioOutcome; counties: string[] }) {
  const { t, pct } = useI18n();
  return (
    <section data-testid="scenario-dashboard">
      <h4>{t('whatIfTitle')} <span className="tag whatif">{t('whatIfTag')}</span></h4>
      <table className="rates">
        <thead><tr><th>{t('county')}</th><th className="num">{t('mobileRate')} {t('nowCol')}</th><th className="num">{t('mobileRate')} <span className="tag whatif">{t('whatIfTag')}</span></th><th className="num">{t('broadbandRate')} {t('nowCol')}</th><th className="num">{t('broadbandRate')} <span className="tag whatif">{t('whatIfTag')}</span></th></tr></thead>
        <tbody>
          {counties.map((c) => {
            const now = report.rates.counties[c];
            const then = outcome.counties[c];
            if (!now || !then) return null;
            return (
              <tr key={c} data-testid="whatif-row" data-county={c}>
                <th scope="row">{c}</th>
                <td className="num">{pct(now.mobile.rate)}</td>
                <td className={`num ${then.mobile.met ? 'met' : 'not-met'}`}>{pct(then.mobile.rate)}</td>
                <td className="num">{pct(now.broadband.rate)}</td>
                <td className={`num ${then.broadband.met ? 'met' : 'not-met'}`}>{pct(then.broadband.rate)}</td>
              </tr>
            );
          })}
          <tr>
            <th scope="row">{t('city')}</th>
            <td className="num">{pct(report.rates.city.mobile.rate)}</td><td className="num">{pct(outcome.city.mobile.rate)}</td>
            <td className="num">{pct(report.rates.city.broadband.rate)}</td><td className="num">{pct(outcome.city.broadband.rate)}</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}
