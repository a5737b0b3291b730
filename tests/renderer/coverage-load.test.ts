// Coverage loading plan: small layers whole and once, large ones by viewport and only when zoomed in.
import { describe, expect, it } from 'vitest';
import { bboxContains, coverageStep, expandBbox, FULL_LOAD_LIMIT, VIEWPORT_MIN_ZOOM } from '../../renderer/map/coverageLoad';
import type { Bbox } from '../../api/contract';

const view = (bbox: Bbox, zoom: number) => ({ bbox, zoom });
const near: Bbox = [115.0, 25.8, 115.2, 25.9];

describe('coverageStep', () => {
  it('fetches a small layer whole, once, and only when shown', () => {
    expect(coverageStep(100, false, null, null)).toEqual({ kind: 'none' });
    expect(coverageStep(100, true, null, null)).toEqual({ kind: 'full' });
    expect(coverageStep(FULL_LOAD_LIMIT, true, view(near, 6), null)).toEqual({ kind: 'full' });
    expect(coverageStep(100, true, view(near, 12), { kind: 'full' })).toEqual({ kind: 'none' });
  });

  it('clears a large layer when zoomed out and fetches the padded view when zoomed in', () => {
    const big = FULL_LOAD_LIMIT + 1;
    expect(coverageStep(big, true, null, null)).toEqual({ kind: 'none' });
    expect(coverageStep(big, true, view(near, VIEWPORT_MIN_ZOOM - 0.1), null)).toEqual({ kind: 'clear' });
    expect(coverageStep(big, true, view(near, 7), { kind: 'empty' })).toEqual({ kind: 'none' });
    expect(coverageStep(big, true, view(near, 7), { kind: 'area', bbox: near })).toEqual({ kind: 'clear' });
    const step = coverageStep(big, true, view(near, VIEWPORT_MIN_ZOOM), null);
    expect(step.kind).toBe('area');
    if (step.kind !== 'area') return;
    expect(step.bbox[0]).toBeCloseTo(114.9);
    expect(step.bbox[3]).toBeCloseTo(25.95);
    // A small pan stays inside the fetched area; a jump elsewhere asks again.
    expect(coverageStep(big, true, view([115.05, 25.82, 115.25, 25.92], 10), { kind: 'area', bbox: step.bbox })).toEqual({ kind: 'none' });
    expect(coverageStep(big, true, view([116, 26, 116.2, 26.1], 10), { kind: 'area', bbox: step.bbox }).kind).toBe('area');
    // Hidden large layers are left alone.
    expect(coverageStep(big, false, view(near, 12), null)).toEqual({ kind: 'none' });
  });
});

describe('bbox helpers', () => {
  it('expand and contain', () => {
    expect(expandBbox([0, 0, 2, 1], 0.5)).toEqual([-1, -0.5, 3, 1.5]);
    expect(bboxContains([0, 0, 2, 2], [0.5, 0.5, 1, 1])).toBe(true);
    expect(bboxContains([0, 0, 2, 2], [1, 1, 3, 1.5])).toBe(false);
  });
});
