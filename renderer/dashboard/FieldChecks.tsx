// 实测校核: where drive-test measurements and the coverage polygons disagree. Shown only when the workspace has
// a measurements layer; the measurements already override the prediction in every rate.
import type { FieldVerification } from '../../gis/report';
import { useI18n } from '../i18n/context';

const SHOWN = 100;

export function FieldChecks({ field, onPick }: { field: FieldVerification; onPick: (id: string) => void }) {
  const { t, int } = useI18n();
  return (
    <section className="field-checks" data-testid="field-checks">
      <h4>{t('fieldTitle')}</h4>
      <p className="muted">{t('fieldSummary', {
        measurements: int(field.measurements), settlements: int(field.settlementsMeasured),
        disagreements: int(field.disagreements.length), threshold: field.thresholdDbm, radius: field.radiusM,
      })}</p>
      {field.disagreements.length > 0 && (
        <table className="blind">
          <thead><tr><th>{t('blindName')}</th><th>{t('fieldOperator')}</th><th>{t('fieldPredicted')}</th><th>{t('fieldMeasured')}</th></tr></thead>
          <tbody>
            {field.disagreements.slice(0, SHOWN).map((d) => (
              <tr key={`${d.id}-${d.operator}`} className="clickable" onClick={() => onPick(d.id)}>
                <td>{d.name}<br /><span className="muted">{d.county} {d.township} {d.village}</span></td>
                <td>{t(`op_${d.operator}`)}</td>
                <td>{d.predicted ? t('fieldCovered') : t('fieldNotCovered')}</td>
                <td className={d.measured ? 'met' : 'not-met'}>
                  {d.measured ? t('fieldCovered') : t('fieldNotCovered')} ({d.bestRsrp} dBm × {d.readings})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
