#!/usr/bin/env python3
"""How well a learning-curve table's early epochs predict its final ranking (what hyperband and
asha's first rungs rely on): Spearman's rank correlation between val_accuracy after epoch k and the
best val_accuracy, over the rows that learn (best > 0.5), and where the 10 best rows rank after epoch
k. Usage: table-rank-check.py [TABLE (bench/curve-table-full.json.gz)] [EPOCHS (1,3)]"""
import gzip
import json
import sys

path = sys.argv[1] if len(sys.argv) > 1 else 'bench/curve-table-full.json.gz'
epochs = [int(e) for e in (sys.argv[2] if len(sys.argv) > 2 else '1,3').split(',')]
rows = [r for r in json.load(gzip.open(path))['rows'] if max(e[3] for e in r['epochs']) > 0.5]
best = [max(e[3] for e in r['epochs']) for r in rows]


def ranks(xs):
    """0 for the smallest; ties broken by position (val_accuracy takes few distinct values)."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    out = [0] * len(xs)
    for rank, i in enumerate(order):
        out[i] = rank
    return out


def spearman(a, b):
    ra, rb, mid = ranks(a), ranks(b), (len(a) - 1) / 2
    return sum((x - mid) * (y - mid) for x, y in zip(ra, rb)) / sum((x - mid) ** 2 for x in ra)


top = sorted(range(len(rows)), key=lambda i: -best[i])[:10]
print(f'{len(rows)} rows that learn; best {max(best):.4f}')
for k in epochs:
    early = [r['epochs'][k - 1][3] for r in rows]
    r = ranks(early)
    print(f'epoch {k}: Spearman {spearman(early, best):.3f}; the 10 best rank', sorted(len(rows) - r[i] for i in top), f'of {len(rows)}')
