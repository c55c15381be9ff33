# Sweep's recipes. `just --list` shows them.

# Run the quick-start sweep (release build) and print its leaderboard
sweep file="experiments/quickstart.yaml":
    cargo run --release --bin sweep -- run {{file}}

# Run every test (unit, integration, end to end)
test:
    cargo build --bin sweep
    cargo test --workspace

# Format check and lints, warnings as errors
check:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Benchmarks: training throughput (one trial, two side by side) and the quickstart's accuracy
bench:
    cargo bench -p trainer --bench throughput

# Validate an experiment file without running it
validate file:
    cargo run --release --bin sweep -- validate {{file}}

# Type-check the CUDA path without a GPU or the CUDA toolkit (cudarc's no-toolkit mode: never ship this build)
check-cuda:
    cargo check -p trainer --all-targets --features cuda,dfdx/ci-check

# Run the GPU tests (needs the CUDA toolkit and a GPU)
test-cuda:
    cargo test -p trainer --features cuda
