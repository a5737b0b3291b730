import { describe, expect, it } from 'vitest';
import { buildCellGrid, cellOf, type CellGrid } from '../../gis/cell-grid';
import { mulberry32 } from './helpers';

function listed(grid: CellGrid, cell: number): Set<number> {
  return new Set(grid.items.subarray(grid.starts[cell], grid.starts[cell + 1]));
}

/**
 * Random boxes, some tiny, some degenerate (a point or a line); on a lattice (steps of 1/64° or 1/60°), with sizes
 * of whole steps, box edges and the points put on them fall on cell borders, or a rounding away from them.
 */
function randomBoxes(rand: () => number, count: number, lattice = 0): Float64Array {
  const boxes = new Float64Array(4 * count);
  for (let k = 0; k < count; k++) {
    if (lattice) {
      const x = 114 + Math.floor(rand() * 160) / lattice, y = 24.5 + Math.floor(rand() * 160) / lattice;
      boxes.set([x, y, x + Math.floor(rand() * 4) / lattice, y + Math.floor(rand() * 4) / lattice], 4 * k);
      continue;
    }
    const x = 114 + rand() * 2.5, y = 24.5 + rand() * 2.5;
    const kind = rand();
    const w = kind < 0.05 ? 0 : 0.001 + rand() * 0.06, h = kind < 0.1 ? 0 : 0.001 + rand() * 0.06;
    boxes.set([x, y, x + w, y + h], 4 * k);
  }
  return boxes;
}

describe('buildCellGrid / cellOf', () => {
  it('lists every box containing a point in that point\'s cell: corners, edges, inside, all boxes alike', () => {
    for (const [seed, lattice] of [[1, 0], [2, 0], [3, 64], [4, 60], [5, 60]]) {
      const rand = mulberry32(seed);
      const count = 2000;
      const boxes = randomBoxes(rand, count, lattice);
      const grid = buildCellGrid(boxes, count)!;
      expect(grid).not.toBeNull();
      expect(grid.items.length).toBeGreaterThanOrEqual(count);
      const points: number[][] = [];
      for (let k = 0; k < count; k++) {
        const [x0, y0, x1, y1] = boxes.subarray(4 * k, 4 * k + 4);
        points.push([x0, y0], [x1, y1], [x0, y1], [x1, y0], [(x0 + x1) / 2, y0], [x1, (y0 + y1) / 2], [x0 + rand() * (x1 - x0), y0 + rand() * (y1 - y0)]);
      }
      for (let i = 0; i < 3000; i++) points.push([113.9 + rand() * 2.8, 24.4 + rand() * 2.8]);
      for (const [x, y] of points) {
        const cell = cellOf(grid, x, y);
        const inCell = cell >= 0 ? listed(grid, cell) : new Set<number>();
        for (let k = 0; k < count; k++) {
          if (x >= boxes[4 * k] && y >= boxes[4 * k + 1] && x <= boxes[4 * k + 2] && y <= boxes[4 * k + 3]) {
            expect(inCell.has(k), `box ${k} at ${x},${y}`).toBe(true);
          }
        }
      }
    }
  });

  it('has no cell for points before the grid, or not numbers; clamps those past it', () => {
    const grid = buildCellGrid(Float64Array.from([0, 0, 1, 1, 2, 2, 3, 3]), 2)!;
    expect(cellOf(grid, -0.001, 1)).toBe(-1);
    expect(cellOf(grid, 1, -0.001)).toBe(-1);
    expect(cellOf(grid, NaN, 1)).toBe(-1);
    expect(listed(grid, cellOf(grid, 3, 3)).has(1)).toBe(true);
    expect(cellOf(grid, 99, 99)).toBe(cellOf(grid, 3, 3));
  });

  it('one point for every box, or one box: a single cell', () => {
    const same = buildCellGrid(Float64Array.from([5, 5, 5, 5, 5, 5, 5, 5]), 2)!;
    expect([same.nx, same.ny]).toEqual([1, 1]);
    expect([...listed(same, cellOf(same, 5, 5))]).toEqual([0, 1]);
    const one = buildCellGrid(Float64Array.from([1, 2, 3, 4]), 1)!;
    expect([...listed(one, cellOf(one, 2, 3))]).toEqual([0]);
  });

  it('gives no grid for no boxes, or when a few boxes spanning everything would be listed in every cell', () => {
    expect(buildCellGrid(new Float64Array(0), 0)).toBeNull();
    const rand = mulberry32(9);
    const count = 1000;
    const boxes = randomBoxes(rand, count);
    const withHuge = new Float64Array(4 * (count + 3));
    withHuge.set(boxes);
    for (let h = 0; h < 3; h++) withHuge.set([113.9, 24.4, 116.7, 27.1], 4 * (count + h));
    expect(buildCellGrid(boxes, count)).not.toBeNull();
    expect(buildCellGrid(withHuge, count + 3)).toBeNull();
  });

  it('does not change its input', () => {
    const boxes = randomBoxes(mulberry32(4), 300);
    const copy = boxes.slice();
    buildCellGrid(boxes, 300);
    expect(boxes).toEqual(copy);
  });
});
