// Import a layer: choose a file → preview (format, field mapping, coordinate system, encoding, sheet,
// sample rows) → import with progress → the new layer, or the per-row problems (nothing written).
import { useEffect, useState } from 'react';
import type { CrsChoice, ImportIssue, ImportPreview, ImportProgress, ImportRequest, LayerInfo, LayerRole } from '../../api/contract';
import { LAYER_ROLES } from '../../api/contract';
import type { AtlasClient, ImportFile } from '../api';
import { useI18n } from '../i18n/context';
import { zhCN, type MessageKey } from '../i18n/zh-CN';

const CRS_CHOICES: CrsChoice[] = ['auto', 'wgs84', 'cgcs2000', 'gcj02', 'bd09'];
const ENCODINGS = ['auto', 'utf8', 'gbk'] as const;

type Stage =
  | { kind: 'idle' }
  | { kind: 'previewing' }
  | { kind: 'preview' }
  | { kind: 'importing'; progress: ImportProgress | null }
  | { kind: 'done'; layer: LayerInfo; warnings: string[] }
  | { kind: 'failed'; issues: ImportIssue[]; truncated: boolean }
  | { kind: 'error'; message: string };

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * `incoming` is a file handed over from outside the dialog (the desktop menu); ImportRequest.file stays
 * opaque here: a path in Electron, an upload token in browser mode.
 */
export function ImportDialog({ api, incoming, onImported }: { api: AtlasClient; incoming: ImportFile | null; onImported: (layer: LayerInfo) => void }) {
  const { t, int } = useI18n();
  // Canonical field names in the user's language; a field without a label shows its own name.
  const fieldLabel = (canonical: string): string => (`field_${canonical}` in zhCN ? t(`field_${canonical}` as MessageKey) : canonical);
  const [role, setRole] = useState<LayerRole>('settlements');
  const [picked, setPicked] = useState<ImportFile | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [request, setRequest] = useState<ImportRequest | null>(null);
  const [stage, setStage] = useState<Stage>({ kind: 'idle' });
  const [dragging, setDragging] = useState(false);

  const runPreview = async (req: ImportRequest) => {
    setStage({ kind: 'previewing' });
    try {
      const p = await api.previewImport(req);
      setPreview(p);
      // Start from what was detected; the user edits from there.
      const mapping: Record<string, string> = {};
      for (const [k, v] of Object.entries(p.mapping)) if (v) mapping[k] = v;
      setRequest({ ...req, mapping, crs: req.crs ?? p.crs.detected });
      setStage({ kind: 'preview' });
    } catch (e) {
      setStage({ kind: 'error', message: errorMessage(e) });
    }
  };

  const onFile = async (getFile: () => Promise<ImportFile | null>) => {
    setPreview(null);
    setRequest(null);
    try {
      const f = await getFile();
      if (!f) return;
      setPicked(f);
      await runPreview({ file: f.file, role, name: f.name.replace(/\.[^.]+$/, '') });
    } catch (e) {
      setStage({ kind: 'error', message: errorMessage(e) });
    }
  };

  useEffect(() => {
    // Only a new incoming file starts a preview (onFile itself is new on every render).
    if (incoming) void onFile(async () => incoming);
  }, [incoming]);

  const runImport = async () => {
    if (!request) return;
    setStage({ kind: 'importing', progress: null });
    try {
      const outcome = await api.importLayer(request, (progress) => setStage({ kind: 'importing', progress }));
      if (outcome.ok) {
        setStage({ kind: 'done', layer: outcome.layer, warnings: outcome.warnings });
        onImported(outcome.layer);
      } else {
        setStage({ kind: 'failed', issues: outcome.issues, truncated: outcome.truncated });
      }
    } catch (e) {
      setStage({ kind: 'error', message: errorMessage(e) });
    }
  };

  const cancel = () => {
    if (stage.kind === 'importing' && stage.progress) api.cancelImport(stage.progress.jobId).catch(() => undefined);
  };

  const busy = stage.kind === 'previewing' || stage.kind === 'importing';
  const setReq = (patch: Partial<ImportRequest>, again = false) => {
    if (!request) return;
    const next = { ...request, ...patch };
    setRequest(next);
    if (again) void runPreview(next);
  };

  return (
    <div className="import" data-testid="import-dialog">
      <h4>{t('importTitle')}</h4>
      <label className="row">{t('importRole')}
        <select value={role} disabled={busy} data-testid="import-role"
          onChange={(e) => {
            const r = e.target.value as LayerRole;
            setRole(r);
            if (request) void runPreview({ ...request, role: r, mapping: undefined });
          }}>
          {LAYER_ROLES.map((r) => <option key={r} value={r}>{t(`role_${r}`)}</option>)}
        </select>
      </label>
      <div className={dragging ? 'drop-zone over' : 'drop-zone'} data-testid="import-drop"
        onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          const dropped = Array.from(e.dataTransfer.files);
          if (dropped.length > 0 && !busy) void onFile(() => api.prepareImportFiles(dropped));
        }}>
        <button type="button" data-testid="import-choose" disabled={busy} onClick={() => void onFile(() => api.chooseImportFile())}>{t('importChoose')}</button>
        <span className="muted"> {t('importDrop')}</span>
      </div>
      {picked && <p className="muted">{picked.name}</p>}

      {preview && request && (
        <div className="preview" data-testid="import-preview">
          <p>{t('importFormat', { format: preview.format })}</p>
          <p className="muted">{t('importCrsDetected', { crs: preview.crs.detected, reason: preview.crs.reason })}</p>
          <div className="preview-options">
            <label className="row">{t('importCrs')}
              <select value={request.crs ?? 'auto'} disabled={busy} data-testid="import-crs" onChange={(e) => setReq({ crs: e.target.value as CrsChoice })}>
                {[...new Set([...CRS_CHOICES, preview.crs.detected])].map((c) => <option key={c} value={c}>{c}</option>)}
              </select>
            </label>
            {preview.encoding !== undefined && (
              <label className="row">{t('importEncoding')}
                <select value={request.encoding ?? 'auto'} disabled={busy} data-testid="import-encoding"
                  onChange={(e) => setReq({ encoding: e.target.value as ImportRequest['encoding'] }, true)}>
                  {ENCODINGS.map((c) => <option key={c} value={c}>{c === 'auto' ? `auto (${preview.encoding})` : c}</option>)}
                </select>
              </label>
            )}
            {preview.sheets && preview.sheets.length > 0 && (
              <label className="row">{t('importSheet')}
                <select value={request.sheet ?? preview.sheets[0]} disabled={busy} data-testid="import-sheet" onChange={(e) => setReq({ sheet: e.target.value }, true)}>
                  {preview.sheets.map((s) => <option key={s} value={s}>{s}</option>)}
                </select>
              </label>
            )}
          </div>
          <h5>{t('importMapping')}</h5>
          <table className="mapping" data-testid="import-mapping">
            <tbody>
              {Object.keys(preview.mapping).map((canonical) => (
                <tr key={canonical}>
                  <th title={canonical}>{fieldLabel(canonical)}</th>
                  <td>
                    <select value={request.mapping?.[canonical] ?? ''} disabled={busy} data-field={canonical}
                      onChange={(e) => {
                        const mapping = { ...request.mapping };
                        if (e.target.value === '') delete mapping[canonical];
                        else mapping[canonical] = e.target.value;
                        setReq({ mapping });
                      }}>
                      <option value="">{t('importUnmapped')}</option>
                      {preview.fields.map((f) => <option key={f} value={f}>{f}</option>)}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {preview.sample.length > 0 && (
            <>
              <h5>{t('importSample')}</h5>
              <div className="sample-wrap">
                <table className="sample" data-testid="import-sample">
                  <thead><tr>{preview.fields.map((f) => <th key={f}>{f}</th>)}</tr></thead>
                  <tbody>
                    {preview.sample.slice(0, 5).map((row, i) => (
                      <tr key={i}>{preview.fields.map((f) => <td key={f}>{row[f] === undefined || row[f] === null ? '' : String(row[f])}</td>)}</tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
          {preview.warnings.length > 0 && (
            <ul className="warnings" data-testid="import-warnings">{preview.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>
          )}
          <div className="actions">
            <button type="button" className="primary" data-testid="import-run" disabled={busy} onClick={() => void runImport()}>{t('importRun')}</button>
            {stage.kind === 'importing' && <button type="button" onClick={cancel}>{t('importCancel')}</button>}
          </div>
        </div>
      )}

      {stage.kind === 'importing' && (
        <div className="progress" data-testid="import-progress">
          <progress max={1} value={stage.progress?.fraction ?? undefined} />
          {stage.progress && <span>{t('importProgress', { phase: t(`phase_${stage.progress.phase}`), rows: int(stage.progress.rows) })}</span>}
        </div>
      )}
      {stage.kind === 'done' && (
        <div className="ok" data-testid="import-ok">
          <p className="met">{t('importOk', { name: stage.layer.name, n: int(stage.layer.featureCount) })}</p>
          {stage.warnings.length > 0 && <ul className="warnings">{stage.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>}
        </div>
      )}
      {stage.kind === 'failed' && (
        <div className="failed" data-testid="import-failed">
          <p className="not-met">{t('importFailed')}</p>
          <table className="issues" data-testid="import-issues">
            <thead><tr><th>{t('issueFile')}</th><th>{t('issueRow')}</th><th>{t('issueField')}</th><th>{t('issueMessage')}</th></tr></thead>
            <tbody>
              {stage.issues.map((i, n) => (
                <tr key={n}><td>{i.file}</td><td className="num">{i.row < 0 ? t('wholeFile') : i.row}</td><td>{i.field}</td><td>{i.message}</td></tr>
              ))}
            </tbody>
          </table>
          {stage.truncated && <p className="muted">{t('importTruncated')}</p>}
        </div>
      )}
      {stage.kind === 'error' && <p className="not-met" data-testid="import-error">{t('importError', { message: stage.message })}</p>}
      {stage.kind === 'previewing' && <p className="muted">{t('loading')}</p>}
    </div>
  );
}
