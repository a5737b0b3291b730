// The workspace's layers: what is there, how big, since when; a finished import shows up here.
import type { LayerInfo } from '../../api/contract';
import { useI18n } from '../i18n/context';

export function WorkspaceLayers({ layers }: { layers: LayerInfo[] }) {
  const { t, int, date } = useI18n();
  return (
    <div className="table-wrap">
      <h4>{t('wsLayers')}</h4>
      <table className="ws-layers" data-testid="workspace-layers">
        <thead><tr><th>{t('layerName')}</th><th>{t('importRole')}</th><th className="num">{t('layerFeatures')}</th><th>{t('layerCreated')}</th></tr></thead>
        <tbody>
          {layers.map((l) => (
            <tr key={l.id}>
              <td>{l.name}{l.synthetic && <span className="tag">{t('demoTag')}</span>}</td>
              <td>{t(`role_${l.role}`)}</td>
              <td className="num">{int(l.featureCount)}</td>
              <td>{date(l.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
