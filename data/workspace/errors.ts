// Workspace errors: one code per situation the UI must explain, each with a Chinese and an English sentence.

export type WorkspaceErrorCode =
  | 'not-found'      // no file at the path
  | 'exists'         // create() onto an existing file
  | 'not-gpkg'       // not SQLite, or SQLite without the GeoPackage application_id
  | 'not-atlas'      // a valid GeoPackage that is not an Atlas workspace (no atlas_meta)
  | 'read-only'      // a write on a read-only workspace, or SQLITE_READONLY from the disk
  | 'disk-full'      // SQLITE_FULL
  | 'locked'         // another process holds the write lock (SQLITE_BUSY after busy_timeout)
  | 'busy'           // a write started while this workspace is still writing a layer
  | 'unknown-layer'  // layer id not in atlas_layers
  | 'aborted'        // the caller's AbortSignal fired
  | 'closed'         // used after close()
  | 'invalid-argument';

export class WorkspaceError extends Error {
  readonly code: WorkspaceErrorCode;
  readonly zh: string;
  readonly en: string;
  readonly path: string | null;
  constructor(code: WorkspaceErrorCode, zh: string, en: string, path: string | null = null, cause?: unknown) {
    super(`${zh} / ${en}${path ? ` (${path})` : ''}`, cause === undefined ? undefined : { cause });
    this.name = 'WorkspaceError';
    this.code = code;
    this.zh = zh;
    this.en = en;
    this.path = path;
  }
}

export const notFound = (path: string) =>
  new WorkspaceError('not-found', '找不到工作空间文件', 'Workspace file not found', path);

export const alreadyExists = (path: string) =>
  new WorkspaceError('exists', '文件已存在，不会覆盖', 'File already exists; it will not be overwritten', path);

export const notGeoPackage = (path: string, detail: string) =>
  new WorkspaceError('not-gpkg', `不是 GeoPackage 文件（${detail}）`, `Not a GeoPackage file (${detail})`, path);

export const notAtlasWorkspace = (path: string, layers: string[]) => {
  const list = layers.length ? layers.join(', ') : '—';
  return new WorkspaceError('not-atlas',
    `这是普通的 GeoPackage（图层：${list}），不是覆盖图谱工作空间；请新建工作空间后用“导入”加载其中的图层`,
    `This is a plain GeoPackage (layers: ${list}), not a Coverage Atlas workspace; create a workspace and import its layers`,
    path);
};

export const readOnlyWrite = (path: string, reason: string | null) =>
  new WorkspaceError('read-only', `工作空间为只读，无法写入${reason ? `：${reason}` : ''}`,
    `The workspace is read-only; nothing was written${reason ? `: ${reason}` : ''}`, path);

export const closedWorkspace = (path: string) =>
  new WorkspaceError('closed', '工作空间已关闭', 'The workspace is closed', path);

export const busyWriting = (path: string) =>
  new WorkspaceError('busy', '正在写入另一个图层，请稍后再试', 'Another layer is being written; try again when it finishes', path);

export const unknownLayer = (path: string, id: number) =>
  new WorkspaceError('unknown-layer', `工作空间中没有编号为 ${id} 的图层`, `No layer with id ${id} in the workspace`, path);

export const aborted = (path: string) =>
  new WorkspaceError('aborted', '导入已取消，工作空间未改变', 'Import cancelled; the workspace is unchanged', path);

export const invalidArgument = (path: string, zh: string, en: string) =>
  new WorkspaceError('invalid-argument', zh, en, path);

/** Reasons a workspace opened read-only; shown as WorkspaceInfo.readOnlyReason. */
export const reasons = {
  requested: () => '按请求以只读方式打开 / Opened read-only as requested',
  newer: (fileVersion: number, appVersion: number) =>
    `工作空间由更新版本的覆盖图谱创建（架构版本 ${fileVersion}，本程序支持 ${appVersion}），已以只读方式打开；请升级程序后再编辑 / ` +
    `Written by a newer Coverage Atlas (schema version ${fileVersion}, this app supports ${appVersion}); opened read-only — upgrade to edit`,
  locked: (pid: number, host: string, since: string) =>
    `工作空间正被另一个进程写入（PID ${pid}，${host}，自 ${since}），已以只读方式打开 / ` +
    `The workspace is open for writing in another process (PID ${pid} on ${host} since ${since}); opened read-only`,
  notWritable: () => '文件或所在文件夹不可写，已以只读方式打开 / The file or its folder is not writable; opened read-only',
  olderReadOnly: (fileVersion: number, appVersion: number) =>
    `工作空间架构版本 ${fileVersion} 较旧（当前 ${appVersion}），只读打开时不升级 / ` +
    `Schema version ${fileVersion} is older than ${appVersion}; not upgraded while read-only`,
};

/** Maps SQLite failures that the user can act on to WorkspaceErrors; anything else is returned unchanged. */
export function mapSqliteError(err: unknown, path: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  // SHMSIZE: the WAL's shared-memory file could not grow, which on a full disk comes before any SQLITE_FULL.
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_SHMSIZE') {
    return new WorkspaceError('disk-full', '磁盘已满，写入已撤销，工作空间未改变',
      'Disk full; the write was rolled back and the workspace is unchanged', path, err);
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new WorkspaceError('read-only', '文件只读，写入已撤销，工作空间未改变',
      'The file is read-only; the write was rolled back and the workspace is unchanged', path, err);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new WorkspaceError('locked', '工作空间正被其他程序写入，请稍后再试',
      'Another program is writing to the workspace; try again later', path, err);
  }
  if (code === 'SQLITE_NOTADB') return notGeoPackage(path, 'file is not a database');
  return err;
}
