"""Optuna's multi-objective samplers on ZDT1 and DTLZ2, for the reference column of `pareto.rs`.

Not part of `just bench`: it needs Optuna (`python3 -m venv /tmp/optuna &&
/tmp/optuna/bin/pip install optuna==5.0.0`), then

    /tmp/optuna/bin/python crates/search/benches/optuna_pareto_reference.py tpe 50 0 10 [dtlz2]

prints one line per seed, "sampler trials seed hypervolume", then the median. ZDT1 in 5
dimensions on [0, 1]^5 (f1 = x1, g = 1 + 9 * mean(x2..x5), f2 = g * (1 - sqrt(f1 / g))), both
minimized; the hypervolume is the area the trials dominate up to the reference point (1.1, 11),
as `pareto.rs` measures it. DTLZ2 with three objectives in 5 dimensions (g = sum over x3..x5 of
(x - 0.5)^2; f1 = (1 + g) cos(x1 pi/2) cos(x2 pi/2), f2 = (1 + g) cos(x1 pi/2) sin(x2 pi/2),
f3 = (1 + g) sin(x1 pi/2)), the volume up to (1.1, 1.1, 1.1); `dtlz2_5` the same with five
objectives in 9 dimensions, up to 1.1 in each. Seeds are Optuna's, so a row matches in function, domain and budget,
not in the random draws.
"""

import math
import statistics
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)

DIMS = 5
REFERENCE = (1.1, 11.0)


def zdt1(x):
    f1 = x[0]
    g = 1 + 9 * sum(x[1:]) / (len(x) - 1)
    return f1, g * (1 - math.sqrt(f1 / g))


def dtlz2(x, m=3):
    g = sum((v - 0.5) ** 2 for v in x[m - 1 :])
    angles = [v * math.pi / 2 for v in x[: m - 1]]
    values = []
    for k in range(m):
        value = 1 + g
        for a in angles[: m - 1 - k]:
            value *= math.cos(a)
        if k > 0:
            value *= math.sin(angles[m - 1 - k])
        values.append(value)
    return tuple(values)


def dtlz2_5(x):
    return dtlz2(x, 5)


def sliced(points, reference):
    """The volume dominated by points (all inside reference), slicing along the last objective."""
    if not points:
        return 0.0
    if len(reference) == 2:
        area, ceiling = 0.0, reference[1]
        for f1, f2 in sorted(points):
            if f2 < ceiling:
                area += (reference[0] - f1) * (ceiling - f2)
                ceiling = f2
        return area
    points = sorted(points, key=lambda p: p[-1])
    volume = 0.0
    for k, p in enumerate(points):
        top = points[k + 1][-1] if k + 1 < len(points) else reference[-1]
        if top > p[-1]:
            volume += (top - p[-1]) * sliced([q[:-1] for q in points[: k + 1]], reference[:-1])
    return volume


def hypervolume(points, reference=REFERENCE):
    inside = [tuple(p) for p in points if all(v < r for v, r in zip(p, reference))]
    if len(reference) > 3:
        # Slicing in pure Python takes hours in five objectives; Optuna's own WFG is exact too.
        import numpy as np
        from optuna._hypervolume import compute_hypervolume

        if not inside:
            return 0.0
        return float(compute_hypervolume(np.array(inside), np.array(reference)))
    return sliced(inside, reference)


def sampler(name, seed):
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed)
    if name == "nsga3":
        return optuna.samplers.NSGAIIISampler(seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise SystemExit(f"unknown sampler {name}: tpe, nsga2, nsga3 or random")


def run(name, trials, seed, problem="zdt1"):
    function, objectives, reference, dims = {
        "zdt1": (zdt1, 2, REFERENCE, DIMS),
        "dtlz2": (dtlz2, 3, (1.1, 1.1, 1.1), DIMS),
        "dtlz2_5": (dtlz2_5, 5, (1.1,) * 5, 9),
    }[problem]
    study = optuna.create_study(directions=["minimize"] * objectives, sampler=sampler(name, seed))

    def objective(trial):
        return function([trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(dims)])

    study.optimize(objective, n_trials=trials)
    return hypervolume([t.values for t in study.trials], reference)


def main():
    name, trials, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    problem = sys.argv[5] if len(sys.argv) > 5 else "zdt1"
    volumes = []
    for seed in range(first, first + count):
        v = run(name, trials, seed, problem)
        volumes.append(v)
        print(f"{name} {trials} {seed} {v:.4f}", flush=True)
    print(f"median {statistics.median(volumes):.4f}")


if __name__ == "__main__":
    main()
