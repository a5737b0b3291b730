// Small hand-written analysis results for the renderer's unit tests.
import type { AnalysisReport, GroupRate, LayerRate, SettlementResult } from '../../gis/report';
import { DEFAULT_OPTIONS } from '../../gis/report';

export function settlement(p: Partial<SettlementResult> & { id: string }): SettlementResult {
  return {
    name: p.id, households: 30, county: '于都县', township: '岭背镇', village: '潮溪村委会', committee: false,
    lon: 115.4, lat: 25.9, eligible: true, mobile: false, mobileOperators: [], broadband: false, broadbandOperators: [],
    listed: false, focusCounty: true, ...p,
  };
}

const op = { covered: 0, coveredHouseholds: 0, rate: null, householdRate: null };

export function layerRate(p: Partial<LayerRate>): LayerRate {
  return {
    covered: 0, coveredHouseholds: 0, rate: null, householdRate: null, target: 0.95, met: null, shortfall: null,
    householdShortfall: null, byOperator: { CMCC: op, CT: op, CU: op }, ...p,
  };
}

export function groupRate(p: Partial<GroupRate>): GroupRate {
  return { settlements: 0, households: 0, allSettlements: 0, mobile: layerRate({}), broadband: layerRate({ target: 0.75 }), ...p };
}

export function report(p: Partial<AnalysisReport['rates']> = {}, settlements: SettlementResult[] = []): AnalysisReport {
  return {
    options: DEFAULT_OPTIONS,
    settlements,
    rates: { city: groupRate({}), counties: {}, townships: {}, villages: {}, ...p },
    committeeSeats: { seats: [], total: 0, mobileCovered: 0, broadbandCovered: 0, met: null, listedVillagesWithoutSeat: [] },
    inputs: { settlements: settlements.length, mobilePolygons: 0, broadbandPolygons: 0 },
  };
}
