import { describe, expect, it } from 'vitest';
import { median, spread } from '../../bench/stats.js';

describe('bench stats', () => {
  it('median is a measured value: the middle of an odd count, the lower middle of an even one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(median([7])).toBe(7);
  });

  it('spread reads median (min–max), a lone value alone and nothing as a dash', () => {
    expect(spread([10.04, 9.1, 12.26])).toBe('10.0 (9.1–12.3)');
    expect(spread([0.5, 0.25], 2)).toBe('0.25 (0.25–0.50)');
    expect(spread([42])).toBe('42.0');
    expect(spread([])).toBe('–');
  });
});
