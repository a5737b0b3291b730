// Workspace schema: version 1 (GeoPackage 1.3 core + the atlas_ tables) and the steps N → N+1.
// The Atlas schema version lives in atlas_meta('schema_version'); PRAGMA user_version stays 10300
// because GeoPackage readers check it.
import type Database from 'better-sqlite3';
import { CACHE_TABLE_SQL, staleTriggersSql } from './cache';
import { nowIso } from './sql';

export const GPKG_APPLICATION_ID = 0x47504b47; // 'GPKG'
export const GPKG_USER_VERSION = 10300;

const WKT_4326 = 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],' +
  'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,' +
  'AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]';
const WKT_4490 = 'GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,' +
  '298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],' +
  'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],' +
  'AUTHORITY["EPSG","4490"]]';

/** GeoPackage 1.3 core tables, as GDAL writes them, plus the schema extension for JSON columns. */
const GPKG_CORE = `
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
  definition TEXT NOT NULL, scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
CREATE TABLE gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT,
  description TEXT, mime_type TEXT, constraint_name TEXT,
  CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
  CONSTRAINT gdc_tn UNIQUE (table_name, name));
CREATE TABLE gpkg_data_column_constraints (constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL,
  value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN, description TEXT,
  CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value));
`;

/** Version 1 of the app's own tables. */
const ATLAS_V1 = `
CREATE TABLE atlas_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE atlas_layers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  table_name TEXT NOT NULL UNIQUE REFERENCES gpkg_contents(table_name),
  role TEXT NOT NULL,
  name TEXT NOT NULL,
  source TEXT,
  synthetic INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  geometry_type TEXT NOT NULL,
  feature_count INTEGER NOT NULL,
  fields TEXT NOT NULL,   -- JSON: display field names
  columns TEXT NOT NULL   -- JSON: { featureId, properties: [{ key, column, kind }] }
);
CREATE TABLE atlas_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE atlas_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at TEXT NOT NULL,
  options TEXT NOT NULL,
  summary TEXT NOT NULL
);
`;

function registerAttributes(db: Database.Database, table: string, description: string): void {
  db.prepare(`INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
    VALUES (?, 'attributes', ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))`).run(table, table, description);
}

/**
 * Creates the version-1 schema in an empty database (GeoPackage core, SRS rows, atlas_ tables, meta rows).
 * Kept frozen: later changes go into MIGRATIONS so a v1 file and a freshly created one end up identical.
 */
export function createSchemaV1(db: Database.Database, meta: { name: string; synthetic: boolean; appVersion: string }): void {
  db.pragma(`application_id = ${GPKG_APPLICATION_ID}`);
  db.pragma(`user_version = ${GPKG_USER_VERSION}`);
  db.exec(GPKG_CORE);
  const srs = db.prepare('INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)');
  srs.run('Undefined Cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined Cartesian coordinate reference system');
  srs.run('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
  srs.run('WGS 84 geodetic', 4326, 'EPSG', 4326, WKT_4326, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
  srs.run('China Geodetic Coordinate System 2000', 4490, 'EPSG', 4490, WKT_4490, 'CGCS2000 geographic coordinates');
  const ext = db.prepare('INSERT INTO gpkg_extensions VALUES (?, NULL, ?, ?, ?)');
  for (const t of ['gpkg_data_columns', 'gpkg_data_column_constraints']) {
    ext.run(t, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', 'read-write');
  }
  db.exec(ATLAS_V1);
  // One registered attribute table makes GDAL list only registered tables (LIST_ALL_TABLES=AUTO), so the
  // internal atlas_ tables stay out of QGIS/ogrinfo; atlas_runs qualifies (INTEGER PRIMARY KEY AUTOINCREMENT).
  registerAttributes(db, 'atlas_runs', '分析记录 Analysis runs');
  const put = db.prepare('INSERT INTO atlas_meta (key, value) VALUES (?, ?)');
  put.run('schema_version', '1');
  put.run('app_version', meta.appVersion);
  put.run('created_at', nowIso());
  put.run('name', meta.name);
  put.run('synthetic', meta.synthetic ? '1' : '0');
}

export interface Migration {
  /** Version this step upgrades from; it produces `from + 1`. */
  from: number;
  description: string;
  up(db: Database.Database): void;
}

/** Every step in order: MIGRATIONS[i] upgrades version i + 1 to i + 2. */
export const MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    description: 'rectification ledger (整改台账) and its audit trail',
    up(db) {
      db.exec(`
CREATE TABLE atlas_ledger (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  item_id TEXT NOT NULL UNIQUE,
  settlement_id TEXT NOT NULL,
  operator TEXT CHECK (operator IS NULL OR operator IN ('CMCC', 'CT', 'CU')),
  measure TEXT NOT NULL DEFAULT '',
  responsible TEXT NOT NULL DEFAULT '',
  deadline TEXT,
  status TEXT NOT NULL DEFAULT '待整改' CHECK (status IN ('待整改', '整改中', '已销号')),
  evidence TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX atlas_ledger_settlement ON atlas_ledger (settlement_id);
-- No cascade: an item with an audit trail cannot be deleted silently.
CREATE TABLE atlas_ledger_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ledger_id INTEGER NOT NULL REFERENCES atlas_ledger (id),
  who TEXT NOT NULL,
  at TEXT NOT NULL,
  field TEXT NOT NULL,
  before TEXT,
  after TEXT
);
CREATE INDEX atlas_ledger_audit_ledger ON atlas_ledger_audit (ledger_id);
`);
      registerAttributes(db, 'atlas_ledger', '整改台账 Rectification ledger');
    },
  },
  {
    from: 2,
    description: 'analysis cache (atlas_cache), emptied by triggers on every layer table',
    up(db) {
      db.exec(CACHE_TABLE_SQL);
      const tables = db.prepare('SELECT table_name FROM atlas_layers ORDER BY id').pluck().all() as string[];
      for (const t of tables) db.exec(staleTriggersSql(t));
    },
  },
];

export const SCHEMA_VERSION = 1 + MIGRATIONS.length;

/** Reads atlas_meta('schema_version'); null when the table or row is missing. */
export function readSchemaVersion(db: Database.Database): number | null {
  const has = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'atlas_meta'").get();
  if (!has) return null;
  const row = db.prepare("SELECT value FROM atlas_meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  const v = row ? Number(row.value) : NaN;
  return Number.isInteger(v) && v >= 1 ? v : null;
}

/** Runs every step from `from` to `to` (default SCHEMA_VERSION) in one transaction: all or nothing. */
export function migrate(db: Database.Database, from: number, appVersion: string, to = SCHEMA_VERSION): void {
  if (from >= to) return;
  const run = db.transaction(() => {
    for (let v = from; v < to; v++) {
      const step = MIGRATIONS[v - 1];
      if (!step || step.from !== v) throw new Error(`no migration from schema version ${v}`);
      step.up(db);
    }
    const put = db.prepare('INSERT OR REPLACE INTO atlas_meta (key, value) VALUES (?, ?)');
    put.run('schema_version', String(to));
    put.run('migrated_at', nowIso());
    put.run('migrated_by', appVersion);
  });
  run.immediate();
}
