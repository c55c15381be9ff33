//! `TestEnv`: a temporary folder to run the real `sweep` binary in, with helpers to write
//! experiment files and read results back.
//!
//! The binary is found next to the test executable (`target/<profile>/sweep`); `just test`
//! builds it before running the tests.

/// The pruning bench's comparison with the unpruned sweep, shared so that its unit tests run
/// here (the bench itself runs sweeps for minutes).
#[cfg(test)]
#[path = "../benches/pruning/against.rs"]
mod pruning_against;
#[cfg(test)]
#[path = "../benches/pruning/against_tests.rs"]
mod pruning_against_tests;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

/// A scratch folder with its own store, for one test.
#[derive(Debug)]
pub struct TestEnv {
    dir: TempDir,
}

/// What a run of the binary printed, and how it exited.
#[derive(Debug, Clone)]
pub struct Output {
    /// The exit code; -1 when killed by a signal.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl TestEnv {
    /// Creates an empty scratch folder.
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("invariant: the temp folder is writable"),
        }
    }

    /// Returns the scratch folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Returns the store folder the helpers use (`.sweep` inside the scratch folder).
    pub fn store(&self) -> PathBuf {
        self.dir.path().join(".sweep")
    }

    /// Writes `yaml` to `name` in the scratch folder, replacing `DATA/` with the absolute path
    /// of the shipped datasets, and returns the file's path.
    pub fn write_spec(&self, name: &str, yaml: &str) -> PathBuf {
        let data = repo_root().join("experiments").join("data");
        let text = yaml.replace("DATA/", &format!("{}/", data.display()));
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("invariant: the temp folder is writable");
        path
    }

    /// Runs `sweep ARGS` in the scratch folder, with standard input closed, and waits for it.
    pub fn sweep(&self, args: &[&str]) -> Output {
        let out = self
            .command(args)
            .output()
            .expect("invariant: the sweep binary can be started");
        Output::from(out)
    }

    /// Runs `sweep ARGS` in the scratch folder with `input` on its standard input (then
    /// closed), and waits for it.
    pub fn sweep_with_input(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("invariant: the sweep binary can be started");
        if let Some(mut stdin) = child.stdin.take() {
            // A child that exits without reading closes the pipe; its output tells why.
            let _ = stdin.write_all(input.as_bytes());
        }
        let out = child
            .wait_with_output()
            .expect("invariant: the child's output can be read");
        Output::from(out)
    }

    /// Returns every trial of `experiment` in the store `store` (relative to the scratch
    /// folder) as `sweep trials --format json` writes them, without wall time
    /// (`without_wall_time`): what two runs of one file must agree on.
    pub fn reproducible_trials(&self, experiment: &str, store: &str) -> Vec<serde_json::Value> {
        let out = self.sweep(&["trials", experiment, "--store", store, "--format", "json"]);
        assert_eq!(out.code, 0, "{out:?}");
        let mut trials: Vec<serde_json::Value> =
            serde_json::from_str(&out.stdout).expect("invariant: `sweep trials` writes JSON");
        without_wall_time(&mut trials);
        trials
    }

    /// Returns a `Command` for `sweep ARGS` in the scratch folder, to spawn it yourself.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(sweep_binary());
        cmd.args(args)
            .current_dir(self.dir.path())
            .env_remove("RUST_LOG")
            // Any dashboard a command serves takes a free loopback port: tests never collide.
            .env_remove("SWEEP_TOKEN")
            .env("SWEEP_ADDR", "127.0.0.1:0");
        cmd
    }
}

impl From<std::process::Output> for Output {
    fn from(out: std::process::Output) -> Output {
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Default for TestEnv {
    fn default() -> Self {
        TestEnv::new()
    }
}

/// Returns what `sweep --version` names after "sweep ": the binary's version, and the commit
/// it was built from when it was built in a git checkout of Sweep (`0.1.0 (85ec1f4)`).
pub fn this_build() -> String {
    let out = TestEnv::new().sweep(&["--version"]);
    assert_eq!(out.code, 0, "{out:?}");
    out.stdout
        .strip_prefix("sweep ")
        .and_then(|v| v.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("not `sweep VERSION`: {:?}", out.stdout))
        .to_string()
}

/// Returns the text of a one-trial, one-epoch random search called `name` on the shipped
/// penguins data (its `csv:` the `DATA/` of `TestEnv::write_spec`), searching `parameters`:
/// YAML lines, each indented by two spaces and ending with a newline. The cheapest real sweep.
pub fn penguins_spec(name: &str, parameters: &str) -> String {
    format!(
        "name: {name}\nseed: 1\nmethod: random\nrun_cap: 1\nparallel: 1\n\
         metric: {{name: val_accuracy, goal: maximize}}\n\
         data: {{csv: DATA/penguins.csv, target: species, categorical: [island, sex], \
         exclude: [year], missing: median}}\n\
         train: {{epochs: 1}}\n\
         parameters:\n{parameters}"
    )
}

/// Expands to the text of a random search called `$name` on the shipped digits (its `csv:` the
/// `DATA/` of `TestEnv::write_spec`), seed 5, `$run_cap` trials of 3 epochs (batch size 64),
/// `$parallel` side by side, maximizing `val_accuracy`, searching `$parameters`: YAML lines,
/// each indented by two spaces and ending with a newline. A `&'static str`, so it can make a
/// `const`.
#[macro_export]
macro_rules! digits_spec {
    ($name:literal, $run_cap:literal, $parallel:literal, $parameters:literal) => {
        concat!(
            "name: ",
            $name,
            "\nseed: 5\nmethod: random\nrun_cap: ",
            $run_cap,
            "\nparallel: ",
            $parallel,
            "\nmetric: {name: val_accuracy, goal: maximize}\n",
            "data: {csv: DATA/digits.csv, target: digit}\n",
            "train: {epochs: 3, batch_size: 64}\n",
            "parameters:\n",
            $parameters
        )
    };
}

/// Returns the stored record of a finished experiment `name` (created at 1_700_000_000_000 ms,
/// finished a minute later) whose spec is `spec_yaml` (hashed, and read from `NAME.yaml`),
/// ranking by `objective` toward `goal`, with experiment seed `seed` and `run_cap` trials; to
/// write straight into a store, without a run. Another status or end is set with `..`.
pub fn experiment_info(
    name: &str,
    spec_yaml: String,
    (objective, goal): (&str, experiment::Direction),
    seed: u64,
    run_cap: u32,
) -> store::ExperimentInfo {
    store::ExperimentInfo {
        name: name.into(),
        description: String::new(),
        spec_hash: experiment::sha256_hex(spec_yaml.as_bytes()),
        spec_yaml,
        spec_path: format!("{name}.yaml"),
        objective: objective.into(),
        goal,
        seed: experiment::Seed(seed),
        run_cap,
        status: store::ExperimentStatus::Finished,
        created: experiment::Timestamp(1_700_000_000_000),
        finished: Some(experiment::Timestamp(1_700_000_060_000)),
    }
}

/// Returns the repository's root folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("invariant: tests/ sits in the repository root")
        .to_path_buf()
}

/// Returns the path of the `sweep` binary built beside the running test executable.
pub fn sweep_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("invariant: the test knows its own path");
    // target/<profile>/deps/e2e-<hash> -> target/<profile>/sweep
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("invariant: test executables live in target/<profile>/deps");
    let bin = profile_dir.join(format!("sweep{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} does not exist: build it first with `cargo build --bin sweep` (`just test` does)",
        bin.display()
    );
    bin
}

/// Removes from trials as `sweep trials --format json` writes them what is wall time and so
/// differs between runs of the same trials: the metric `experiment::WALL_TIME_METRIC`, and the
/// values of the fields `experiment::WALL_TIME_COLUMNS` (when each trial started and finished,
/// its duration), each replaced by whether it is known, so that a trial that has a start in one
/// run and none in the other still differs.
pub fn without_wall_time(trials: &mut [serde_json::Value]) {
    for t in trials {
        if let Some(m) = t.get_mut("metrics").and_then(|m| m.as_object_mut()) {
            m.remove(experiment::WALL_TIME_METRIC);
        }
        if let Some(t) = t.as_object_mut() {
            for key in experiment::WALL_TIME_COLUMNS {
                if let Some(value) = t.get_mut(key) {
                    *value = serde_json::Value::Bool(!value.is_null());
                }
            }
        }
    }
}
