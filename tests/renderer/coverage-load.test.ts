// Coverage loading plan: small layers whole and once, large ones by viewport, only when zoomed in, and with the
// detail the view can show.
import { describe, expect, it } from 'vitest';
import { displayTolerance } from '../../api/columns';
import {
  bboxContains, COVERAGE_EXACT_ZOOM, coverageStep, detailZoom, expandBbox, FULL_LOAD_LIMIT, VIEWPORT_MIN_ZOOM, type Loaded,
} from '../../renderer/map/coverageLoad';
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
    expect(coverageStep(big, true, view(near, 7), { kind: 'area', bbox: near, detail: 10 })).toEqual({ kind: 'clear' });
    const step = coverageStep(big, true, view(near, VIEWPORT_MIN_ZOOM), null);
    expect(step.kind).toBe('area');
    if (step.kind !== 'area') return;
    expect(step.bbox[0]).toBeCloseTo(114.9);
    expect(step.bbox[3]).toBeCloseTo(25.95);
    expect(step.detail).toBe(VIEWPORT_MIN_ZOOM + 1);
    expect(step.tolerance).toBe(displayTolerance(VIEWPORT_MIN_ZOOM + 1));
    const fetched = { kind: 'area', bbox: step.bbox, detail: step.detail } as const;
    // A small pan stays inside the fetched area; a jump elsewhere asks again.
    expect(coverageStep(big, true, view([115.05, 25.82, 115.25, 25.92], VIEWPORT_MIN_ZOOM + 0.5), fetched)).toEqual({ kind: 'none' });
    expect(coverageStep(big, true, view([116, 26, 116.2, 26.1], VIEWPORT_MIN_ZOOM), fetched).kind).toBe('area');
    // Hidden large layers are left alone.
    expect(coverageStep(big, false, view(near, 12), null)).toEqual({ kind: 'none' });
  });
});

describe('coverage detail', () => {
  const big = FULL_LOAD_LIMIT + 1;
  const inside: Bbox = [115.05, 25.82, 115.1, 25.85];

  it('asks again when zoomed in past the fetched detail, not when zoomed out', () => {
    const fetched: Loaded = { kind: 'area', bbox: [114.9, 25.7, 115.3, 26.0], detail: 10 };
    expect(coverageStep(big, true, view(inside, 9.99), fetched)).toEqual({ kind: 'none' });
    const step = coverageStep(big, true, view(inside, 10.01), fetched);
    expect(step).toMatchObject({ kind: 'area', detail: 11, tolerance: displayTolerance(11) });
    expect(coverageStep(big, true, view(inside, 9.2), { kind: 'area', bbox: [114.9, 25.7, 115.3, 26.0], detail: 14 })).toEqual({ kind: 'none' });
  });

  it('fetches exact geometry once zoomed in far enough', () => {
    expect(detailZoom(9.6)).toBe(10);
    expect(coverageStep(big, true, view(inside, COVERAGE_EXACT_ZOOM - 0.5), null)).toMatchObject({ kind: 'area', detail: COVERAGE_EXACT_ZOOM, tolerance: 0 });
    expect(coverageStep(big, true, view(inside, 19), null)).toMatchObject({ detail: COVERAGE_EXACT_ZOOM, tolerance: 0 });
    expect(coverageStep(big, true, view(inside, 19), { kind: 'area', bbox: inside, detail: COVERAGE_EXACT_ZOOM })).toEqual({ kind: 'none' });
  });

  it('a tolerance is a quarter pixel of a 512-px tile', () => {
    expect(displayTolerance(0)).toBeCloseTo(360 / 512 / 4, 12);
    expect(displayTolerance(10) * 1024).toBeCloseTo(displayTolerance(0), 12);
  });
});

describe('bbox helpers', () => {
  it('expand and contain', () => {
    expect(expandBbox([0, 0, 2, 1], 0.5)).toEqual([-1, -0.5, 3, 1.5]);
    expect(bboxContains([0, 0, 2, 2], [0.5, 0.5, 1, 1])).toBe(true);
    expect(bboxContains([0, 0, 2, 2], [1, 1, 3, 1.5])).toBe(false);
  });
});
