// The rectification ledger: items from blind spots, closing only on evidence, every change audited,
// overdue flags, one transaction per edit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger, LedgerError, chinaDate } from '../../data/ledger';
import { Workspace } from '../../data/workspace';
import type { SettlementResult } from '../../gis';

let dir: string;
let ws: Workspace;
let clock: Date;
let ledger: Ledger;
const tick = (ms: number) => (clock = new Date(clock.getTime() + ms));

function settlement(id: string, mobile: SettlementResult['mobileOperators'], broadband: SettlementResult['broadbandOperators']): SettlementResult {
  return {
    id, name: id, households: 40, county: '于都县', township: '车溪乡', village: '潮溪村委会', committee: false, lon: 115.4, lat: 25.9,
    eligible: true, mobile: mobile.length > 0, mobileOperators: mobile, broadband: broadband.length > 0, broadbandOperators: broadband,
    listed: true, focusCounty: true,
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-ledger-'));
  ws = Workspace.create(join(dir, 'w.gpkg'));
  clock = new Date('2026-11-01T02:00:00Z');
  ledger = new Ledger(ws.sqlite(), { now: () => clock });
});
afterEach(() => {
  ws.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ledger', () => {
  it('adds items in bulk with ids per settlement, audited field by field', () => {
    const items = ledger.addMany([
      { settlementId: 'P1', measure: '新建基站', responsible: '张三', operator: 'CMCC', deadline: '2026-12-31' },
      { settlementId: 'P2', measure: '光纤延伸', responsible: '李四' },
      { settlementId: 'P1', measure: '光纤延伸', responsible: '王五', operator: 'CT' },
    ], '县工信局');
    expect(items.map((i) => i.itemId)).toEqual(['ZG-P1-01', 'ZG-P2-01', 'ZG-P1-02']);
    expect(items.every((i) => i.status === '待整改' && i.evidence.length === 0 && !i.overdue)).toBe(true);
    const h = ledger.history('ZG-P1-01');
    expect(h.map((r) => [r.field, r.before, r.after])).toEqual([
      ['settlement_id', null, 'P1'], ['operator', null, 'CMCC'], ['measure', null, '新建基站'],
      ['responsible', null, '张三'], ['deadline', null, '2026-12-31'], ['status', null, '待整改'],
    ]);
    expect(h.every((r) => r.who === '县工信局' && r.at === '2026-11-01T02:00:00.000Z')).toBe(true);
  });

  it('a bad item in a bulk add rolls back the whole batch', () => {
    expect(() => ledger.addMany([
      { settlementId: 'P1', measure: '新建基站', responsible: '张三' },
      { settlementId: 'P2', measure: '拆除' as never, responsible: '李四' },
    ], 'x')).toThrow(/item 1: measure: 未知整改措施 拆除/);
    expect(ledger.list()).toEqual([]);
    expect(() => ledger.add({ settlementId: 'P1', measure: '维修', responsible: '张三', deadline: '2026-02-30' }, 'x')).toThrow(/deadline: 日期无效/);
    expect(() => ledger.add({ settlementId: 'P1', measure: '维修', responsible: ' ' }, 'x')).toThrow(/responsible/);
    expect(() => ledger.add({ settlementId: 'P1', measure: '维修', responsible: '张三' }, '')).toThrow(/who: 须注明操作人/);
  });

  it('cannot close without evidence, nor by status, nor on an analysis that does not show coverage', () => {
    const item = ledger.add({ settlementId: 'P1', measure: '新建基站', responsible: '张三', operator: 'CMCC' }, 'a');
    expect(() => ledger.update(item.itemId, { status: '已销号' as never }, 'a')).toThrow(/销号须提供证据/);
    expect(() => ledger.close(item.itemId, undefined as never, 'a')).toThrow(/evidence: 销号须提供证据/);
    tick(60_000);
    const later = clock.toISOString();
    // Covered, but by another operator than the item's.
    expect(() => ledger.close(item.itemId, { kind: 'analysis', settlement: settlement('P1', ['CT'], []), analyzedAt: later }, 'a'))
      .toThrow(/mobile: 最新分析显示仍无 CMCC 4G覆盖/);
    // Another settlement's result.
    expect(() => ledger.close(item.itemId, { kind: 'analysis', settlement: settlement('P9', ['CMCC'], []), analyzedAt: later }, 'a'))
      .toThrow(/settlement: 分析结果不是本条目的聚居区/);
    // An analysis older than the item.
    expect(() => ledger.close(item.itemId, { kind: 'analysis', settlement: settlement('P1', ['CMCC'], []), analyzedAt: '2026-10-01T00:00:00Z' }, 'a'))
      .toThrow(/analyzedAt: 分析须晚于建档时间/);
    expect(() => ledger.close(item.itemId, { kind: 'field', date: '2026-11-01', person: '', measurement: 'RSRP -98 dBm' }, 'a')).toThrow(/person: 缺少核查人/);
    expect(() => ledger.close(item.itemId, { kind: 'field', date: '2026-11-05', person: '赵六', measurement: 'x' }, 'a')).toThrow(/date: 核查日期 2026-11-05 晚于今天/);
    expect(ledger.get(item.itemId).status).toBe('待整改');
    expect(ledger.history(item.itemId).length).toBe(6); // only the creation rows: failed closes left no trace
  });

  it('closes on a later analysis that shows the coverage, recording evidence and audit', () => {
    const item = ledger.add({ settlementId: 'P1', measure: '光纤延伸', responsible: '张三', deadline: '2026-11-30' }, 'a');
    tick(3600_000);
    ledger.update(item.itemId, { status: '整改中', responsible: '张三丰' }, '乡镇专干');
    tick(86400_000);
    const closed = ledger.close(item.itemId, { kind: 'analysis', settlement: settlement('P1', [], ['CT']), analyzedAt: clock.toISOString() }, '县工信局');
    expect(closed.status).toBe('已销号');
    expect(closed.evidence).toEqual([{ kind: 'analysis', analyzedAt: clock.toISOString(), settlementId: 'P1', mobileOperators: [], broadbandOperators: ['CT'], recordedAt: clock.toISOString() }]);
    const tail = ledger.history(item.itemId).slice(6).map((r) => [r.who, r.field, r.before, r.after === null ? null : r.after.slice(0, 20)]);
    expect(tail).toEqual([
      ['乡镇专干', 'responsible', '张三', '张三丰'],
      ['乡镇专干', 'status', '待整改', '整改中'],
      ['县工信局', 'evidence', '[]', '[{"kind":"analysis",'],
      ['县工信局', 'status', '整改中', '已销号'],
    ]);
    expect(() => ledger.update(item.itemId, { responsible: 'x' }, 'a')).toThrow(/已销号，不能再修改/);
    expect(() => ledger.close(item.itemId, { kind: 'field', date: '2026-11-01', person: 'x', measurement: 'y' }, 'a')).toThrow(/already closed/);
  });

  it('closes on a recorded field verification', () => {
    const item = ledger.add({ settlementId: 'P3', measure: '维修', responsible: '张三' }, 'a');
    const closed = ledger.close(item.itemId, { kind: 'field', date: '2026-11-01', person: '赵六', measurement: 'RSRP -97 dBm（移动 4G）' }, '赵六');
    expect(closed.status).toBe('已销号');
    expect(closed.evidence[0]).toMatchObject({ kind: 'field', date: '2026-11-01', person: '赵六', measurement: 'RSRP -97 dBm（移动 4G）' });
  });

  it('flags overdue items by the China date, never closed ones', () => {
    ledger.add({ settlementId: 'P1', measure: '新建基站', responsible: '张三', deadline: '2026-11-01' }, 'a');
    ledger.add({ settlementId: 'P2', measure: '新建基站', responsible: '张三', deadline: '2026-11-02' }, 'a');
    const done = ledger.add({ settlementId: 'P3', measure: '维修', responsible: '张三', deadline: '2026-10-01' }, 'a');
    ledger.close(done.itemId, { kind: 'field', date: '2026-11-01', person: 'p', measurement: 'm' }, 'a');
    clock = new Date('2026-11-01T17:00:00Z'); // 2026-11-02 01:00 in Beijing
    expect(chinaDate(clock)).toBe('2026-11-02');
    expect(ledger.list({ overdue: true }).map((i) => i.itemId)).toEqual(['ZG-P1-01']);
    expect(ledger.list({ status: '已销号' }).map((i) => i.itemId)).toEqual(['ZG-P3-01']);
    expect(() => ledger.list({ status: '完成' as never })).toThrow(LedgerError);
  });

  it('an edit that fails inside its transaction leaves nothing behind', () => {
    const item = ledger.add({ settlementId: 'P1', measure: '新建基站', responsible: '张三' }, 'a');
    const db = ws.sqlite();
    db.exec(`CREATE TRIGGER fail_audit BEFORE INSERT ON atlas_ledger_audit WHEN NEW.field = 'deadline' BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
    expect(() => ledger.update(item.itemId, { responsible: '李四', deadline: '2026-12-01' }, 'a')).toThrow(/disk trouble/);
    expect(ledger.get(item.itemId)).toMatchObject({ responsible: '张三', deadline: null });
    expect(ledger.history(item.itemId).length).toBe(6);
  });
});
