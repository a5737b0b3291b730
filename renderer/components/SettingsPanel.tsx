// Opt-in online basemap (天地图 with the user's key, or a custom tile URL). Off by default.
import { useState } from 'react';
import type { Settings } from '../../api/contract';
import { useI18n } from '../i18n/context';

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
