# Sweep's recipes. `just --list` shows them.

# Run the quick-start sweep (release build) with its live dashboard, then print the leaderboard (`just serve` browses the results afterwards)
sweep file="experiments/quickstart.yaml" *args:
    cargo run --release --bin sweep -- run {{file}} {{args}}

# Run every test (unit, integration, end to end)
test:
    cargo build --bin sweep
    cargo test --workspace

# Format check and lints, warnings as errors
check:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Benchmarks: MLP and CNN training throughput (one trial, two side by side), the quickstart, Friedman1 (bayes), digits CNN, breast cancer and penguins sweeps with their test metrics (a fresh store each time), the dashboard at 10,000 trials, the samplers' regret and latency, their Pareto fronts (ZDT1, DTLZ2 in three and five objectives), and pruning on digits (none / median / ASHA / Hyperband)
bench:
    cargo bench -p trainer --bench throughput
    cargo bench -p dashboard --bench dashboard
    cargo bench -p search --bench samplers
    cargo bench -p search --bench pareto
    cargo bench -p trainer --bench cnn
    cargo build --release --bin sweep
    cargo bench -p tests --bench pruning
    rm -rf target/bench-sweeps
    cargo run --release --bin sweep -- run experiments/quickstart.yaml --store target/bench-sweeps --no-serve
    cargo run --release --bin sweep -- run experiments/friedman1-mlp-bayes.yaml --store target/bench-sweeps --no-serve
    cargo run --release --bin sweep -- run experiments/digits-cnn-tpe.yaml --store target/bench-sweeps --no-serve
    cargo run --release --bin sweep -- run experiments/breast-cancer-mlp-tpe.yaml --store target/bench-sweeps --no-serve
    cargo run --release --bin sweep -- run experiments/penguins-mlp-tpe.yaml --store target/bench-sweeps --no-serve

# Serve the dashboard of the store in .sweep (read-only)
serve store=".sweep":
    cargo run --release --bin sweep -- serve --store {{store}}

# Run the project's regression gate (release build): exit 1 when a guarded metric got worse
gate file="experiments/ci-gate.yaml" *args:
    cargo run --release --bin sweep -- gate {{file}} {{args}}

# Validate an experiment file without running it
validate file:
    cargo run --release --bin sweep -- validate {{file}}

# Type-check the CUDA path without a GPU or the CUDA toolkit (cudarc's no-toolkit mode: never ship this build)
check-cuda:
    cargo check -p trainer --all-targets --features cuda,dfdx/ci-check

# Run the GPU tests (needs the CUDA toolkit and a GPU)
test-cuda:
    cargo test -p trainer --features cuda
