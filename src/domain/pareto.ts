// Pareto dominance over several objectives, each maximized or minimized: the non-dominated sort
// (Deb et al.'s NSGA-II), crowding distance to order points within one front, and the 2-D
// hypervolume that measures a front. Points are plain arrays of numbers, one per objective.

export type Direction = 'max' | 'min';

/** a is at least as good as b in every objective and strictly better in one. */
export function dominates(a: number[], b: number[], directions: Direction[]): boolean {
  let strictly = false;
  for (let k = 0; k < directions.length; k++) {
    const d = directions[k] === 'max' ? a[k] - b[k] : b[k] - a[k];
    if (d < 0) return false;
    if (d > 0) strictly = true;
  }
  return strictly;
}

/**
 * Each point's front, from 0 (non-dominated); equal points share a front. O(n² · objectives),
 * ample for the hundreds of trials a search has.
 */
export function nonDominatedRanks(points: number[][], directions: Direction[]): number[] {
  const n = points.length;
  const dominatedBy = new Array<number>(n).fill(0);
  const dominating: number[][] = points.map(() => []);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      if (dominates(points[i], points[j], directions)) { dominating[i].push(j); dominatedBy[j]++; }
      else if (dominates(points[j], points[i], directions)) { dominating[j].push(i); dominatedBy[i]++; }
    }
  const ranks = new Array<number>(n).fill(-1);
  let front = points.map((_, i) => i).filter((i) => dominatedBy[i] === 0);
  for (let rank = 0; front.length > 0; rank++) {
    const next: number[] = [];
    for (const i of front) {
      ranks[i] = rank;
      for (const j of dominating[i]) if (--dominatedBy[j] === 0) next.push(j);
    }
    front = next;
  }
  return ranks;
}

/**
 * Indices of the non-dominated points (rank 0), in input order. Every dominated point is dominated
 * by a front point (dominance is transitive), so each point is checked against the front so far
 * only: O(n · front · objectives), where the full sort above is O(n²). GET /searches/:id computes
 * this on the event loop.
 */
export function paretoFrontIndices(points: number[][], directions: Direction[]): number[] {
  let front: number[] = [];
  for (let i = 0; i < points.length; i++) {
    if (front.some((j) => dominates(points[j], points[i], directions))) continue;
    front = front.filter((j) => !dominates(points[i], points[j], directions));
    front.push(i);
  }
  return front.sort((a, b) => a - b);
}

/**
 * NSGA-II's crowding distance of each of `indices` within its front: the extremes of every
 * objective get Infinity, so a front's ends are kept before its crowded middle.
 */
export function crowdingDistances(points: number[][], indices: number[]): Map<number, number> {
  const dist = new Map(indices.map((i) => [i, 0]));
  const objectives = points[indices[0]]?.length ?? 0;
  for (let k = 0; k < objectives; k++) {
    const sorted = [...indices].sort((a, b) => points[a][k] - points[b][k]);
    const span = points[sorted.at(-1)!][k] - points[sorted[0]][k];
    dist.set(sorted[0], Infinity);
    dist.set(sorted.at(-1)!, Infinity);
    if (span === 0) continue;
    for (let s = 1; s < sorted.length - 1; s++)
      dist.set(sorted[s], dist.get(sorted[s])! + (points[sorted[s + 1]][k] - points[sorted[s - 1]][k]) / span);
  }
  return dist;
}

/**
 * The `count` best points: whole fronts in rank order, the last one that fits only partly taken
 * by crowding distance (largest first, then input order), as NSGA-II selects.
 */
export function selectByRank(points: number[][], directions: Direction[], count: number): number[] {
  const ranks = nonDominatedRanks(points, directions);
  const chosen: number[] = [];
  for (let rank = 0; chosen.length < count; rank++) {
    const front = ranks.flatMap((r, i) => (r === rank ? [i] : []));
    if (front.length === 0) break;
    if (chosen.length + front.length <= count) { chosen.push(...front); continue; }
    const dist = crowdingDistances(points, front);
    chosen.push(...[...front].sort((a, b) => dist.get(b)! - dist.get(a)! || a - b).slice(0, count - chosen.length));
  }
  return chosen;
}

/**
 * The area two objectives dominate up to a reference point (worse than every point in both):
 * larger is a better front. Points not better than the reference add nothing.
 */
export function hypervolume2d(points: number[][], directions: [Direction, Direction], reference: [number, number]): number {
  // Turned into minimization of both, relative to the reference.
  const flip = (v: number, k: 0 | 1) => (directions[k] === 'max' ? -v : v);
  const ref = [flip(reference[0], 0), flip(reference[1], 1)];
  const pts = points.map((p) => [flip(p[0], 0), flip(p[1], 1)]).filter((p) => p[0] < ref[0] && p[1] < ref[1]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let area = 0;
  let lowestY = ref[1];
  for (const [x, y] of pts) {
    if (y >= lowestY) continue; // dominated by a point with smaller x
    area += (ref[0] - x) * (lowestY - y);
    lowestY = y;
  }
  return area;
}
