// Shared shapes of the analysis core. Plain data only: every other layer builds these.

/** Canonical operator codes. 移动/电信/联通 and their long forms map onto these (see operators.ts). */
export type Operator = 'CMCC' | 'CT' | 'CU';
export const OPERATORS: readonly Operator[] = ['CMCC', 'CT', 'CU'];

/** Minimal GeoJSON types; we avoid a dependency on @types/geojson in the core. */
export type Position = number[];
export interface PointGeometry { type: 'Point'; coordinates: Position }
export interface PolygonGeometry { type: 'Polygon'; coordinates: Position[][] }
export interface MultiPolygonGeometry { type: 'MultiPolygon'; coordinates: Position[][][] }
export type Geometry =
  | PointGeometry
  | PolygonGeometry
  | MultiPolygonGeometry
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'GeometryCollection'; geometries: Geometry[] };

export interface Feature<G = Geometry | null, P = Record<string, unknown>> {
  type: 'Feature';
  id?: string | number;
  geometry: G;
  properties: P | null;
}
export interface FeatureCollection<G = Geometry | null, P = Record<string, unknown>> {
  type: 'FeatureCollection';
  features: Feature<G, P>[];
}

/** Canonical settlement properties (the import layer maps other spellings onto these). */
export interface SettlementProps {
  id: string;
  name: string;
  households: number;
  county: string;
  township: string;
  village: string;
  committee: boolean;
  code?: string;
  [extra: string]: unknown;
}

/** Canonical coverage polygon properties. */
export interface CoverageProps {
  operator: Operator;
  tech: string;
  [extra: string]: unknown;
}

/** A problem found while validating input: always names where and what was expected. */
export interface InputIssue {
  /** Source name (usually the file path) as given by the caller. */
  source: string;
  /** Zero-based feature index, or -1 for the whole file. */
  feature: number;
  /** Property or member at fault (`geometry`, `households`, …). */
  field: string;
  /** Human-readable sentence: what was found and what was expected. */
  message: string;
}

export class InputError extends Error {
  readonly issues: InputIssue[];
  constructor(issues: InputIssue[], truncated = false) {
    const lines = issues.map(formatIssue);
    if (truncated) lines.push('… (more problems not shown)');
    super(lines.join('\n'));
    this.name = 'InputError';
    this.issues = issues;
  }
}

export function formatIssue(i: InputIssue): string {
  if (i.feature < 0) return i.field === 'file' ? `${i.source}: ${i.message}` : `${i.source}: ${i.field}: ${i.message}`;
  return `${i.source}: feature ${i.feature}: ${i.field}: ${i.message}`;
}
