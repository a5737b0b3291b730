// The application shell: loads the workspace through the API, keeps UI state, and drives the map and
// the dashboard from the same analysis: its summary (rates) for the tables, its settlement columns for the map
// and the legend, and one settlement's details when it is opened.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type {
  AnalysisSummary, Bbox, BlindSpot, CampaignSeeds, CoverageColumns, LayerInfo, LedgerMeasure, ScenarioData, ScenarioOutcome, SettlementColumns, SettlementDetailsQuery, SettlementHit,
  Settings, WorkspaceInfo,
} from '../../api/contract';
import { BlindSpotList } from '../dashboard/BlindSpotList';
import { FieldChecks } from '../dashboard/FieldChecks';
import { CountyTable } from '../dashboard/CountyTable';
import { ListedTable } from '../dashboard/ListedTable';
import { blindSpotOf, countyRows } from '../dashboard/model';
import { I18nProvider } from '../i18n/context';
import { makeI18n, type Lang } from '../i18n/format';
import type { AtlasMap, CoverageState } from '../map/AtlasMap';
import { countyBbox, settlementStatus, statusCounts, workspaceBbox } from '../map/data';
import { popupContent } from '../map/popup';
import { popupElement } from '../map/popupDom';
import { coverageStep, isLargeLayer, VIEWPORT_MIN_ZOOM, type Loaded, type MapView as View } from '../map/coverageLoad';
import { NO_FILTERS, STATUS_COLORS, type Filters } from '../map/style';
import { OPERATORS, type FeatureCollection } from '../../gis/types';
import { toCoverageColumns } from '../../api/columns';
import type { AtlasClient, ImportFile } from '../api';
import { ImportDialog } from './ImportDialog';
import { INITIAL_LAYERS, LayerPanel, type LayerState } from './LayerPanel';
import { MapView } from './MapView';
import { SearchBox } from './SearchBox';
import { DisplaySettings, ParameterSettings, SettingsPanel } from './SettingsPanel';
import { WorkspaceLayers } from './WorkspaceLayers';
import { LedgerAddForm, LedgerPanel } from './LedgerPanel';
import { PlanPanel, WhatIf } from './PlanPanel';
import { ReportPanel } from './ReportPanel';
import { chinaToday, defaultMeasure, dueBanner, scenarioBbox, scenarioLayer } from '../planning/model';
import type { Operator } from '../../gis/types';
import { errorMessage as message } from './task';

type Tab = 'counties' | 'listed' | 'blind' | 'plan' | 'ledger' | 'reports' | 'import' | 'settings';
const TABS: Tab[] = ['counties', 'listed', 'blind', 'plan', 'ledger', 'reports', 'import', 'settings'];
const TAB_KEYS = {
  counties: 'tabCounties', listed: 'tabListed', blind: 'tabBlind', plan: 'tabPlan', ledger: 'tabLedger', reports: 'tabReports',
  import: 'tabImport', settings: 'tabSettings',
} as const;
const WHO_KEY = 'atlas.ledgerWho';

function storedWho(): string {
  try {
    return localStorage.getItem(WHO_KEY) ?? '';
  } catch {
    return '';
  }
}

const NO_POLYGONS: CoverageColumns = toCoverageColumns([]);

function isCoverage(l: LayerInfo): l is LayerInfo & { role: 'mobile' | 'broadband' } {
  return l.role === 'mobile' || l.role === 'broadband';
}

export function App({ api }: { api: AtlasClient }) {
  const [lang, setLang] = useState<Lang>('zh-CN');
  const [ws, setWs] = useState<WorkspaceInfo | null>(null);
  const [seeds, setSeeds] = useState<CampaignSeeds | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [report, setReport] = useState<AnalysisSummary | null>(null);
  const [columns, setColumns] = useState<SettlementColumns | null>(null);
  /** The settlements were drawn once, or cannot be (their columns failed): coverage may load. */
  const [settlementsDrawn, setSettlementsDrawn] = useState(false);
  const [blind, setBlind] = useState<BlindSpot[] | null>(null);
  const [boundaries, setBoundaries] = useState<FeatureCollection | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [atlas, setAtlas] = useState<AtlasMap | null>(null);
  const [layers, setLayers] = useState<LayerState>(INITIAL_LAYERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [tab, setTab] = useState<Tab>('counties');
  const [view, setView] = useState<View | null>(null);
  const [incoming, setIncoming] = useState<ImportFile | null>(null);
  const [scenario, setScenario] = useState<ScenarioData | null>(null);
  const [scenarioOutcome, setScenarioOutcome] = useState<ScenarioOutcome | null>(null);
  const [who, setWhoState] = useState(storedWho);
  const [ledgerVersion, setLedgerVersion] = useState(0);
  const [inLedger, setInLedger] = useState<Set<string>>(new Set());
  const [pendingAdd, setPendingAdd] = useState<BlindSpot[] | null>(null);
  const [exportedMonth, setExportedMonth] = useState<string | null>(null);
  const [due, setDue] = useState<{ month: string; due: string; days: number } | null>(null);
  const i18n = useMemo(() => makeI18n(lang), [lang]);
  const { t } = i18n;

  const setWho = (w: string) => {
    setWhoState(w);
    try {
      localStorage.setItem(WHO_KEY, w);
    } catch {
      // Private mode: the name lasts for this session only.
    }
  };

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = lang === 'en' ? 'Coverage Atlas 覆盖图谱' : '覆盖图谱 Coverage Atlas';
  }, [lang]);

  // The first workspace's analysis is asked for together with the workspace: waiting for the effect below would
  // put the map's creation (a few hundred ms of main thread on a slow machine) before the request.
  const firstAnalysis = useRef<{ columns: Promise<SettlementColumns>; summary: Promise<AnalysisSummary> } | null>(null);
  useEffect(() => {
    Promise.all([api.settings(), api.seeds(), api.workspace()]).then(([s, sd, w]) => {
      setSettings(s);
      setLang(s.language);
      setSeeds(sd);
      setWs(w);
    }, (e) => setError(message(e)));
    const columns = api.settlementColumns(), summary = api.analysisSummary();
    // Their failures are reported where they are used (the effect below).
    columns.catch(() => undefined);
    summary.catch(() => undefined);
    firstAnalysis.current = { columns, summary };
  }, [api]);

  // The desktop menu's 文件 → 导入 hands a chosen file to the import tab.
  useEffect(() => api.onCommand((c) => {
    if (c.command === 'importFile') {
      setTab('import');
      setIncoming(c.file);
    }
  }), [api]);

  // The analysis runs in the back end; the UI waits without blocking.
  useEffect(() => {
    if (!ws) return;
    let alive = true;
    // The map needs every settlement, the tables only the rates: two compact answers instead of one object per settlement.
    const first = firstAnalysis.current;
    firstAnalysis.current = null;
    const columnsAnswer = first?.columns ?? api.settlementColumns();
    columnsAnswer.then((c) => { if (alive) setColumns(c); }, (e) => {
      if (!alive) return;
      setError(message(e));
      setSettlementsDrawn(true);
    });
    (first?.summary ?? api.analysisSummary()).then((r) => { if (alive) setReport(r); }, (e) => { if (alive) setError(message(e)); });
    return () => { alive = false; };
  }, [api, ws]);

  // The blind-spot list (megabytes of JSON at province scale) waits for the first map, as coverage does.
  useEffect(() => {
    if (!ws || !settlementsDrawn) return;
    let alive = true;
    api.blindSpots().then((b) => { if (alive) setBlind(b); }, (e) => { if (alive) setError(message(e)); });
    return () => { alive = false; };
  }, [api, ws, settlementsDrawn]);

  const boundaryLayer = ws?.layers.find((l) => l.role === 'boundaries') ?? null;
  const boundaryLayerId = boundaryLayer?.id ?? null;
  useEffect(() => {
    if (boundaryLayerId === null) { setBoundaries(null); return; }
    let alive = true;
    api.layerFeatures({ layerId: boundaryLayerId }).then((fc) => { if (alive) setBoundaries(fc); }, (e) => { if (alive) setError(message(e)); });
    return () => { alive = false; };
  }, [api, boundaryLayerId]);

  useEffect(() => { if (atlas && boundaries) atlas.setBoundaries(boundaries); }, [atlas, boundaries]);

  // The first view shows the whole workspace; later workspace changes (an import) keep the user's view.
  const fitted = useRef(false);
  useEffect(() => {
    if (!atlas || !ws || fitted.current) return;
    const b = workspaceBbox(ws.layers);
    if (b && !atlas.startedAt(b)) atlas.fitBbox(b, false);
    fitted.current = true;
  }, [atlas, ws]);

  useEffect(() => { if (atlas && columns) atlas.setSettlements(columns); }, [atlas, columns]);

  const inLedgerRef = useRef(inLedger);
  inLedgerRef.current = inLedger;

  const coverageState = useMemo((): CoverageState => ({
    visible: (kind, op) => (filters.operator === null || filters.operator === op) && (kind === 'mobile' ? layers.mobile[op] : layers.broadband),
    opacity: (kind) => (kind === 'mobile' ? layers.mobileOpacity : layers.broadbandOpacity),
    techs: settings?.analysis.mobileTechs ?? report?.options.mobileTechs ?? ['4G'],
  }), [filters.operator, layers, settings, report]);
  const coverageStateRef = useRef(coverageState);
  coverageStateRef.current = coverageState;

  // Coverage polygons: small layers whole, large ones for the area in view (see map/coverageLoad).
  const coverageLayers = useMemo(() => (ws ? ws.layers.filter(isCoverage) : []), [ws]);
  const loadedRef = useRef(new Map<number, Loaded>());
  const mobileShown = OPERATORS.some((op) => layers.mobile[op] && (filters.operator === null || filters.operator === op));
  const broadbandShown = layers.broadband;
  useEffect(() => {
    // Settlements first: on two cores, painting coverage tiles meanwhile delays the settlements' own tiles.
    if (!atlas || !settlementsDrawn) return;
    const loaded = loadedRef.current;
    const ids = new Set(coverageLayers.map((l) => l.id));
    atlas.retainCoverage(ids);
    for (const id of [...loaded.keys()]) if (!ids.has(id)) loaded.delete(id);
    const arrivals: Promise<(() => void) | null>[] = [];
    for (const l of coverageLayers) {
      const shown = l.role === 'mobile' ? mobileShown : broadbandShown;
      const step = coverageStep(l.featureCount, shown, view, loaded.get(l.id) ?? null);
      if (step.kind === 'none') continue;
      if (step.kind === 'clear') {
        atlas.setCoverage(l.id, l.role, NO_POLYGONS, coverageStateRef.current);
        loaded.set(l.id, { kind: 'empty' });
        continue;
      }
      // Recorded before the answer arrives, so a second view change does not ask again; an answer
      // that is no longer the latest request for its layer is dropped.
      const mine: Loaded = step.kind === 'full' ? { kind: 'full' } : { kind: 'area', bbox: step.bbox, detail: step.detail };
      loaded.set(l.id, mine);
      const query = step.kind === 'full' ? { layerId: l.id } : { layerId: l.id, bbox: step.bbox, tolerance: step.tolerance };
      arrivals.push(atlas.awaitData(api.coverageColumns(query)).then((packed) => () => {
        if (loaded.get(l.id) === mine) atlas.setCoverage(l.id, l.role, packed, coverageStateRef.current);
      }, (e) => {
        if (loaded.get(l.id) === mine) loaded.delete(l.id);
        setError(message(e));
        return null;
      }));
    }
    // Layers asked for together are drawn together: each change of the coverage raster repaints every tile in view,
    // and three layers arriving one by one had every county's tiles painted three times over.
    if (arrivals.length > 0) void Promise.all(arrivals).then((draws) => { for (const draw of draws) draw?.(); });
  }, [api, atlas, settlementsDrawn, coverageLayers, view, mobileShown, broadbandShown]);
  const zoomInForCoverage = view !== null && view.zoom < VIEWPORT_MIN_ZOOM &&
    coverageLayers.some((l) => isLargeLayer(l.featureCount) && (l.role === 'mobile' ? mobileShown : broadbandShown));

  useEffect(() => { atlas?.applyCoverageState(coverageState); }, [atlas, coverageState]);
  useEffect(() => { atlas?.setFilters(filters); }, [atlas, filters]);
  useEffect(() => {
    atlas?.setGroupVisible('settlements', layers.settlements);
    atlas?.setGroupVisible('boundaries', layers.boundaries);
  }, [atlas, layers.settlements, layers.boundaries]);

  useEffect(() => {
    if (!atlas) return;
    atlas.setScenario(scenario ? scenarioLayer(scenario.builds) : null);
    // A new scenario is shown where it builds.
    const b = scenario ? scenarioBbox(scenario.builds) : null;
    if (b) atlas.fitBbox(b);
  }, [atlas, scenario]);

  // The dashboard's what-if numbers: the analysis's own summary over the coverage plus the scenario's builds.
  useEffect(() => {
    setScenarioOutcome(null);
    if (!scenario) return;
    let alive = true;
    api.applyScenario(scenario.builds).then((o) => { if (alive) setScenarioOutcome(o); }, (e) => { if (alive) setError(message(e)); });
    return () => { alive = false; };
  }, [api, scenario]);

  // Settlements with an open ledger item, so the blind-spot list offers only the others.
  useEffect(() => {
    if (!ws) return;
    let alive = true;
    api.ledgerList().then((rows) => {
      if (alive) setInLedger(new Set(rows.filter((r) => r.status !== '已销号').map((r) => r.settlementId)));
    }, (e) => { if (alive) setError(message(e)); });
    return () => { alive = false; };
  }, [api, ws, ledgerVersion]);

  // The monthly report is due by the 25th: near it (or late), ask whether this month's report left already.
  useEffect(() => {
    if (!report) return;
    const today = chinaToday(new Date());
    if (!dueBanner(today, null)) return;
    let alive = true;
    api.reportExportedAt(today.slice(0, 7)).then((at) => {
      if (alive) setDue(dueBanner(today, at));
    }, (e) => { if (alive) setError(message(e)); });
    return () => { alive = false; };
  }, [api, report]);

  const addToLedger = useCallback(async (o: { responsible: string; deadline: string | null; operator: Operator | null; measure: LedgerMeasure | 'auto' }) => {
    if (!pendingAdd) return;
    try {
      await api.ledgerAdd(pendingAdd.map((s) => ({
        settlementId: s.id, measure: o.measure === 'auto' ? defaultMeasure(s) : o.measure, responsible: o.responsible,
        deadline: o.deadline, operator: o.operator,
      })), who || o.responsible);
      setPendingAdd(null);
      setLedgerVersion((v) => v + 1);
    } catch (e) {
      setError(message(e));
    }
  }, [api, pendingAdd, who]);

  const minHouseholds = report?.options.minHouseholds ?? settings?.analysis.minHouseholds ?? 25;
  const i18nRef = useRef(i18n);
  i18nRef.current = i18n;

  // A settlement's details are fetched when it is opened; a later opening overtakes an earlier one still on its way.
  const opening = useRef(0);
  const columnsRef = useRef(columns);
  columnsRef.current = columns;
  const openSettlement = useCallback((query: SettlementDetailsQuery, fly: boolean, notFound?: () => void) => {
    if (!atlas) return;
    const ticket = ++opening.current;
    api.settlementDetails(query).then(([s]) => {
      if (ticket !== opening.current) return;
      if (!s) { notFound?.(); return; }
      const cur = i18nRef.current;
      const content = popupContent(s, cur, minHouseholds);
      const status = settlementStatus(s);
      if (fly) atlas.flyTo(s.lon, s.lat, Math.max(atlas.map.getZoom(), 12));
      const spot = blindSpotOf(s);
      const action = spot && !inLedgerRef.current.has(s.id)
        ? { label: cur.t('addToLedger'), testid: 'popup-add-ledger', run: () => { atlas.closePopup(); setPendingAdd([spot]); } }
        : undefined;
      atlas.showPopup(s.lon, s.lat, popupElement(content, cur.t(`st_${status}`), STATUS_COLORS[status], action));
    }, (e) => setError(message(e)));
  }, [api, atlas, minHouseholds]);
  const openById = useCallback((id: string) => openSettlement({ ids: [id] }, true), [openSettlement]);
  const openRef = useRef(openSettlement);
  openRef.current = openSettlement;

  const mapOptions = useMemo(() => (seeds && settings ? {
    focusCountyCodes: seeds.counties.filter((c) => c.focus).map((c) => c.code),
    focusCountyNames: seeds.counties.filter((c) => c.focus).map((c) => c.name),
    onlineBasemap: settings.onlineBasemap,
    smoothMap: settings.smoothMap,
    onSettlementClick: (index: number) => openRef.current({ version: columnsRef.current?.version, indices: [index] }, false),
    onViewChange: (bbox: Bbox, zoom: number) => setView({ bbox, zoom }),
    onSettlementsDrawn: () => setSettlementsDrawn(true),
    // Known with the settings (one request round): the map starts on the workspace rather than flying there.
    initialBbox: ws ? workspaceBbox(ws.layers) : null,
  } : null), [seeds, settings, ws]);

  // A hit outside the analysed settlements (none analysed yet) still flies there.
  const onSearch = useCallback((hit: SettlementHit) => {
    openSettlement({ ids: [hit.id] }, true, () => atlas?.flyTo(hit.lon, hit.lat, 13));
  }, [atlas, openSettlement]);

  const zoomCounty = useCallback((county: string) => {
    const b = countyBbox(boundaries, columns, county);
    if (b) atlas?.fitBbox(b);
  }, [atlas, boundaries, columns]);

  const counts = useMemo(() => (columns ? statusCounts(columns, filters) : { both: 0, mobile: 0, broadband: 0, none: 0 }), [columns, filters]);
  const countyNames = useMemo(() => (report ? countyRows(report, seeds).map((r) => r.key) : []), [report, seeds]);

  const switchLang = (next: Lang) => {
    setLang(next);
    // An open popup was written in the old language.
    atlas?.closePopup();
    api.updateSettings({ language: next }).then(setSettings, (e) => setError(message(e)));
  };

  const onImported = () => {
    api.workspace().then(setWs, (e) => setError(message(e)));
  };

  const saveOnline = async (onlineBasemap: Settings['onlineBasemap']) => {
    const s = await api.updateSettings({ onlineBasemap });
    setSettings(s);
    atlas?.setOnlineBasemap(s.onlineBasemap);
  };

  const saveSmoothMap = async (smoothMap: Settings['smoothMap']) => {
    try {
      const s = await api.updateSettings({ smoothMap });
      setSettings(s);
      atlas?.motion.setMode(s.smoothMap);
    } catch (e) {
      setError(message(e));
    }
  };

  // New parameters change the analysis: fetching the workspace again re-runs it and every view that shows it.
  const saveParams = async (params: Pick<Settings, 'analysis' | 'planning'>) => {
    setSettings(await api.updateSettings(params));
    setWs(await api.workspace());
  };

  const synthetic = Boolean(ws?.synthetic || boundaryLayer?.synthetic);
  const hasMobile = coverageLayers.some((l) => l.role === 'mobile');
  const hasBroadband = coverageLayers.some((l) => l.role === 'broadband');

  return (
    <I18nProvider lang={lang}>
      <div className="app" data-lang={lang}>
        <header className="topbar">
          <h1>{t('appTitle')} <small>{t('appSubtitle')}</small></h1>
          {ws && <span className="workspace-name" title={ws.path}>{ws.name}</span>}
          <SearchBox api={api} onPick={onSearch} />
          <label className="lang">{t('language')}
            <select data-testid="language" value={lang} onChange={(e) => switchLang(e.target.value as Lang)}>
              <option value="zh-CN">简体中文</option>
              <option value="en">English</option>
            </select>
          </label>
        </header>
        {ws?.readOnly && <div className="banner warn">{t('readOnly', { reason: ws.readOnlyReason ?? '' })}</div>}
        {error && <div className="banner error" data-testid="error" onClick={() => setError(null)}>{t('loadFailed', { message: error })}</div>}
        <main className="body">
          <div className="map-area">
            {mapOptions && <MapView options={mapOptions} onReady={setAtlas} />}
            {synthetic && <div className="synthetic-badge" data-testid="synthetic-badge">{t('syntheticBadge')}</div>}
            {scenario && (
              <div className="scenario-badge" data-testid="scenario-badge">
                <span className="tag whatif">{t('whatIfTag')}</span> {scenario.name} · {t('scenarioBuilds', { n: scenario.builds.length })}
                <button type="button" onClick={() => setScenario(null)} aria-label={t('hideScenario')}>×</button>
              </div>
            )}
            {zoomInForCoverage && <div className="map-hint" data-testid="zoom-hint">{t('zoomForCoverage', { zoom: VIEWPORT_MIN_ZOOM })}</div>}
            <LayerPanel layers={layers} onLayers={setLayers} filters={filters} onFilters={setFilters}
              counties={countyNames} focusCounties={seeds?.counties.filter((c) => c.focus) ?? []} onZoomCounty={zoomCounty}
              minHouseholds={minHouseholds} counts={counts} hasMobile={hasMobile} hasBroadband={hasBroadband} />
          </div>
          <aside className="side">
            {due && exportedMonth !== due.month && (
              <div className="banner warn due" data-testid="due-banner">
                {due.days > 0 ? t('dueBannerDays', { month: due.month, due: due.due, days: due.days }) : due.days === 0 ? t('dueBannerToday', { month: due.month }) : t('dueBannerLate', { month: due.month, days: -due.days })}
                {' '}<button type="button" onClick={() => setTab('reports')}>{t('tabReports')}</button>
              </div>
            )}
            <nav className="tabs" role="tablist">
              {TABS.map((k) => (
                <button key={k} type="button" role="tab" aria-selected={tab === k} data-testid={`tab-${k}`}
                  className={tab === k ? 'active' : undefined} onClick={() => setTab(k)}>{t(TAB_KEYS[k])}</button>
              ))}
            </nav>
            <div className="tab-body">
              {!report && tab !== 'import' && tab !== 'settings' && tab !== 'ledger' && tab !== 'reports' && <p className="muted" data-testid="loading">{t('loading')}</p>}
              {tab === 'counties' && report && scenario && scenarioOutcome && (
                <WhatIf report={report} outcome={scenarioOutcome} counties={countyRows(report, seeds).filter((r) => r.focus).map((r) => r.key)} />
              )}
              {tab === 'counties' && report && <CountyTable report={report} seeds={seeds} />}
              {tab === 'listed' && seeds && report && <ListedTable report={report} seeds={seeds} onSeat={openById} />}
              {tab === 'blind' && report?.fieldVerification && <FieldChecks field={report.fieldVerification} onPick={openById} />}
              {tab === 'blind' && report && (blind
                ? <BlindSpotList spots={blind} onPick={(s) => openById(s.id)} onAddLedger={setPendingAdd} inLedger={inLedger} />
                : <p className="muted">{t('loading')}</p>)}
              {tab === 'plan' && report && <PlanPanel api={api} report={report} seeds={seeds} onScenario={setScenario} outcome={scenarioOutcome} onPickSettlement={openById} />}
              {tab === 'ledger' && <LedgerPanel api={api} who={who} onWho={setWho} version={ledgerVersion} onChanged={() => setLedgerVersion((v) => v + 1)} onPickSettlement={openById} />}
              {tab === 'reports' && <ReportPanel api={api} counties={report ? countyRows(report, seeds).map((r) => ({ key: r.key, name: r.name, focus: r.focus })) : []} onExported={setExportedMonth} />}
              {pendingAdd && pendingAdd.length > 0 && <LedgerAddForm count={pendingAdd.length} who={who} onAdd={(o) => void addToLedger(o)} onCancel={() => setPendingAdd(null)} />}
              {tab === 'import' && <ImportDialog api={api} incoming={incoming} onImported={onImported} />}
              {tab === 'import' && ws && <WorkspaceLayers layers={ws.layers} />}
              {tab === 'settings' && settings && <><ParameterSettings settings={settings} onSave={saveParams} /><SettingsPanel settings={settings} onSave={saveOnline} />
                <DisplaySettings settings={settings} renderer={atlas ? { name: atlas.motion.renderer, software: atlas.motion.software } : null} onChange={saveSmoothMap} /></>}
            </div>
          </aside>
        </main>
      </div>
    </I18nProvider>
  );
}
