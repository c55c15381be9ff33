"""Optuna's samplers on the functions of `samplers.rs`, for checking the reference figures.

Not part of `just bench`: it needs Optuna and PyTorch (several GB), which the build does not.

    python3 -m venv /tmp/optuna && /tmp/optuna/bin/pip install optuna==5.0.0 scipy torch
    /tmp/optuna/bin/python crates/search/benches/optuna_reference.py gp hartmann6 0 10

(`cmaes` needs only `pip install optuna==5.0.0 cmaes`.)

prints one line per seed, "sampler function seed regret" (50 trials; `--trials N` changes it),
then the median. `--noise SD` adds Gaussian noise of that standard deviation to every value the
sampler sees; the regret is then the true value of the trial it saw best, as `samplers.rs
--noise` measures it. Seeds are Optuna's (`GPSampler(seed=s)` and so on), so a row matches
`samplers.rs` in function, domain and budget, not in the random draws.
"""

import math
import random
import statistics
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)

A = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
]
P = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]
ALPHA = [1.0, 1.2, 3.0, 3.2]


def branin(x):
    b, c = 5.1 / (4 * math.pi**2), 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x[1] - b * x[0] ** 2 + c * x[0] - 6) ** 2 + 10 * (1 - t) * math.cos(x[0]) + 10


def hartmann6(x):
    return -sum(
        ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6)))
        for i in range(4)
    )


def levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    head = math.sin(math.pi * w[0]) ** 2
    middle = sum((wi - 1) ** 2 * (1 + 10 * math.sin(math.pi * wi + 1) ** 2) for wi in w[:-1])
    tail = (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)
    return head + middle + tail


def ellipsoid(x):
    last = len(x) - 1
    return sum(1000 ** ((last - i) / last) * (v - 3) ** 2 for i, v in enumerate(x))


def rastrigin(x):
    return sum(v * v - 10 * math.cos(2 * math.pi * v) + 10 for v in x)


def schwefel(x):
    return 418.9828872724339 * len(x) - sum(v * math.sin(math.sqrt(abs(v))) for v in x)


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


# name: (function, bounds per coordinate, known optimum); `INTEGERS` says how many of the last
# coordinates are integers.
INTEGERS = {"ellipsoid-int10": 5}
FUNCTIONS = {
    "branin": (branin, [(-5.0, 10.0), (0.0, 15.0)], 0.397887),
    "hartmann6": (hartmann6, [(0.0, 1.0)] * 6, -3.32237),
    "levy10": (levy, [(-10.0, 10.0)] * 10, 0.0),
    "rosenbrock10": (rosenbrock, [(-5.0, 10.0)] * 10, 0.0),
    "ellipsoid-int10": (ellipsoid, [(-10.0, 10.0)] * 10, 0.0),
    "rastrigin5": (rastrigin, [(-5.12, 5.12)] * 5, 0.0),
    "schwefel5": (schwefel, [(-500.0, 500.0)] * 5, 0.0),
}

SAMPLERS = {
    "gp": lambda seed: optuna.samplers.GPSampler(seed=seed),
    "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
    # Needs the `cmaes` package besides Optuna (no PyTorch).
    "cmaes": lambda seed: optuna.samplers.CmaEsSampler(seed=seed),
    "cmaes-margin": lambda seed: optuna.samplers.CmaEsSampler(seed=seed, with_margin=True),
    "cmaes-lra": lambda seed: optuna.samplers.CmaEsSampler(seed=seed, lr_adapt=True),
}


def main():
    args = sys.argv[1:]
    trials = 50
    if "--trials" in args:
        i = args.index("--trials")
        trials = int(args[i + 1])
        del args[i : i + 2]
    noise = 0.0
    if "--noise" in args:
        i = args.index("--noise")
        noise = float(args[i + 1])
        del args[i : i + 2]
    if len(args) != 4 or args[0] not in SAMPLERS or args[1] not in FUNCTIONS:
        sys.exit(__doc__)
    sampler, name, first, count = args[0], args[1], int(args[2]), int(args[3])
    f, bounds, optimum = FUNCTIONS[name]
    first_integer = len(bounds) - INTEGERS.get(name, 0)

    def suggest(t, i, lo, hi):
        if i >= first_integer:
            return t.suggest_int(f"x{i}", int(lo), int(hi))
        return t.suggest_float(f"x{i}", lo, hi)
    regrets = []
    for seed in range(first, first + count):
        rng = random.Random(seed)
        true_values = {}

        def objective(t):
            value = f([suggest(t, i, lo, hi) for i, (lo, hi) in enumerate(bounds)])
            true_values[t.number] = value
            return value + noise * rng.gauss(0.0, 1.0) if noise > 0 else value

        study = optuna.create_study(sampler=SAMPLERS[sampler](seed))
        study.optimize(objective, n_trials=trials)
        regrets.append(true_values[study.best_trial.number] - optimum)
        print(sampler, name, seed, regrets[-1], flush=True)
    print("median", statistics.median(regrets))


if __name__ == "__main__":
    main()
