"""Optuna's multi-objective samplers on ZDT1, for the reference column of `pareto.rs`.

Not part of `just bench`: it needs Optuna (`python3 -m venv /tmp/optuna &&
/tmp/optuna/bin/pip install optuna==5.0.0`), then

    /tmp/optuna/bin/python crates/search/benches/optuna_pareto_reference.py tpe 50 0 10

prints one line per seed, "sampler trials seed hypervolume", then the median. ZDT1 in 5
dimensions on [0, 1]^5 (f1 = x1, g = 1 + 9 * mean(x2..x5), f2 = g * (1 - sqrt(f1 / g))), both
minimized; the hypervolume is the area the trials dominate up to the reference point (1.1, 11),
as `pareto.rs` measures it. Seeds are Optuna's, so a row matches in function, domain and budget,
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


def hypervolume(points):
    inside = sorted(p for p in points if p[0] < REFERENCE[0] and p[1] < REFERENCE[1])
    area, ceiling = 0.0, REFERENCE[1]
    for f1, f2 in inside:
        if f2 < ceiling:
            area += (REFERENCE[0] - f1) * (ceiling - f2)
            ceiling = f2
    return area


def sampler(name, seed):
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise SystemExit(f"unknown sampler {name}: tpe, nsga2 or random")


def run(name, trials, seed):
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler(name, seed))

    def objective(trial):
        return zdt1([trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(DIMS)])

    study.optimize(objective, n_trials=trials)
    return hypervolume([t.values for t in study.trials])


def main():
    name, trials, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    volumes = []
    for seed in range(first, first + count):
        v = run(name, trials, seed)
        volumes.append(v)
        print(f"{name} {trials} {seed} {v:.4f}", flush=True)
    print(f"median {statistics.median(volumes):.4f}")


if __name__ == "__main__":
    main()
