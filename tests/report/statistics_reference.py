#!/usr/bin/env python3
"""The known values of runtime/src/report/statistics_test.cpp, computed independently of the C++ code with
Python's standard library only (statistics, math, itertools). Run it to see where each number comes from."""
import itertools
import math
import statistics


def clustered_stderr(clusters):
    """Inspect's clustered standard error: sqrt(C/(C-1) * sum_c (sum_j (s - mean))^2) / N."""
    scores = [s for c in clusters for s in c]
    mean = statistics.fmean(scores)
    total = sum(sum(s - mean for s in c) ** 2 for c in clusters)
    return math.sqrt(total * len(clusters) / (len(clusters) - 1)) / len(scores)


def mcnemar_exact(b, c):
    n = b + c
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2**n)


def sign_flip_exact(d):
    nonzero = [x for x in d if x != 0]
    observed = abs(sum(nonzero))
    hits = sum(abs(sum(s * x for s, x in zip(signs, nonzero))) >= observed - 1e-9
               for signs in itertools.product([1, -1], repeat=len(nonzero)))
    return hits / 2 ** len(nonzero)


def pass_at_k(n, c, k):
    return 1 - math.comb(n - c, k) / math.comb(n, k)


# Inspect's own test data: scores 1,1,1,0,0,0 in clusters 0,1,1,1,0,0.
print("clustered [[1,0,0],[1,1,0]]:", clustered_stderr([[1, 0, 0], [1, 1, 0]]))
print("clustered 3 questions x 4:", statistics.fmean([1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 1]),
      clustered_stderr([[1, 1, 1, 0], [0, 0, 1, 0], [1, 1, 1, 1]]))
singles = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1]
print("one per question: mean", statistics.fmean(singles), "stderr",
      statistics.stdev(singles) / math.sqrt(len(singles)))
print("mcnemar 3/11:", mcnemar_exact(3, 11), " 0/5:", mcnemar_exact(0, 5), " 7/7:", mcnemar_exact(7, 7))
d = [0.5, 1, -0.25, 1, 0, 0.75, -1, 0.5]
print("sign flip exact", d, ":", sign_flip_exact(d))
a = [1, 0.5, 0, 1, 0.25, 0.75]
b = [1, 1, 0.5, 0.75, 0.5, 1]
diffs = [y - x for x, y in zip(a, b)]
print("paired mean", statistics.fmean(diffs), "stderr", statistics.stdev(diffs) / math.sqrt(len(diffs)),
      "sign flip", sign_flip_exact(diffs))
print("pass@k 10,3,2:", pass_at_k(10, 3, 2), " 64,1,8:", pass_at_k(64, 1, 8), " 64,10,16:", pass_at_k(64, 10, 16))
values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
cuts = statistics.quantiles(values, n=100, method="inclusive")
print("quantiles p50 p90 p99:", cuts[49], cuts[89], cuts[98])
