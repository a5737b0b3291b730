// The application menu as data: Chinese by default, English when the language setting is 'en'.
import type { MenuItemConstructorOptions } from 'electron';
import type { Settings } from '../api/contract';
import { basename } from 'node:path';

type Language = Settings['language'];

export interface MenuActions {
  newWorkspace(): void;
  openWorkspace(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  importLayer(): void;
  exportBlindSpots(): void;
  exportReport(): void;
  setLanguage(language: Language): void;
  about(): void;
  openTiandituConsole(): void;
  quit(): void;
}

const LABELS = {
  'zh-CN': {
    file: '文件(&F)', new: '新建工作空间…', open: '打开工作空间…', recent: '最近打开', noRecent: '（无）', clearRecent: '清除列表',
    import: '导入图层…', export: '导出', exportBlindSpots: '盲点清单（CSV）…', exportReport: '分析报告（JSON）…', quit: '退出',
    view: '视图(&V)', reload: '重新加载', zoomIn: '放大', zoomOut: '缩小', resetZoom: '实际大小', fullscreen: '全屏',
    devTools: '开发者工具', language: '语言',
    help: '帮助(&H)', about: '关于覆盖图谱', tianditu: '申请天地图密钥（在线底图）…',
  },
  en: {
    file: '&File', new: 'New Workspace…', open: 'Open Workspace…', recent: 'Open Recent', noRecent: '(none)', clearRecent: 'Clear List',
    import: 'Import Layer…', export: 'Export', exportBlindSpots: 'Blind Spots (CSV)…', exportReport: 'Analysis Report (JSON)…', quit: 'Quit',
    view: '&View', reload: 'Reload', zoomIn: 'Zoom In', zoomOut: 'Zoom Out', resetZoom: 'Actual Size', fullscreen: 'Full Screen',
    devTools: 'Developer Tools', language: 'Language',
    help: '&Help', about: 'About Coverage Atlas', tianditu: 'Get a Tianditu Key (online basemap)…',
  },
} as const;

export function menuLabels(language: Language) {
  return LABELS[language] ?? LABELS['zh-CN'];
}

export function buildMenuTemplate(options: {
  language: Language;
  recent: readonly string[];
  actions: MenuActions;
  /** Developer tools only in development builds. */
  devTools: boolean;
}): MenuItemConstructorOptions[] {
  const t = menuLabels(options.language);
  const a = options.actions;
  const recent: MenuItemConstructorOptions[] = options.recent.length
    ? [
        ...options.recent.map((path) => ({ label: basename(path), sublabel: path, toolTip: path, click: () => a.openRecent(path) })),
        { type: 'separator' as const },
        { label: t.clearRecent, click: () => a.clearRecent() },
      ]
    : [{ label: t.noRecent, enabled: false }];
  return [
    {
      label: t.file,
      submenu: [
        { label: t.new, accelerator: 'CmdOrCtrl+N', click: () => a.newWorkspace() },
        { label: t.open, accelerator: 'CmdOrCtrl+O', click: () => a.openWorkspace() },
        { label: t.recent, submenu: recent },
        { type: 'separator' },
        { label: t.import, accelerator: 'CmdOrCtrl+I', click: () => a.importLayer() },
        {
          label: t.export,
          submenu: [
            { label: t.exportBlindSpots, click: () => a.exportBlindSpots() },
            { label: t.exportReport, click: () => a.exportReport() },
          ],
        },
        { type: 'separator' },
        { label: t.quit, accelerator: 'CmdOrCtrl+Q', click: () => a.quit() },
      ],
    },
    {
      label: t.view,
      submenu: [
        { label: t.reload, role: 'reload' },
        { type: 'separator' },
        { label: t.resetZoom, role: 'resetZoom' },
        { label: t.zoomIn, role: 'zoomIn' },
        { label: t.zoomOut, role: 'zoomOut' },
        { type: 'separator' },
        { label: t.fullscreen, role: 'togglefullscreen' },
        {
          label: t.language,
          submenu: [
            { label: '简体中文', type: 'radio', checked: options.language === 'zh-CN', click: () => a.setLanguage('zh-CN') },
            { label: 'English', type: 'radio', checked: options.language === 'en', click: () => a.setLanguage('en') },
          ],
        },
        ...(options.devTools ? [{ type: 'separator' as const }, { label: t.devTools, role: 'toggleDevTools' as const }] : []),
      ],
    },
    {
      label: t.help,
      submenu: [
        { label: t.tianditu, click: () => a.openTiandituConsole() },
        { type: 'separator' },
        { label: t.about, click: () => a.about() },
      ],
    },
  ];
}
