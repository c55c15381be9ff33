//! Sweep under the limits of CI containers and under odd paths: few open files (`ulimit -n`:
//! the dashboard refuses before its address, no panic), a file size limit (`ulimit -f`: the
//! store says which file, nothing is killed by SIGXFSZ), a store under a file or behind a
//! link leading nowhere (nothing made, nothing warned, and refused before any data is read),
//! and a compaction run from inside the store. Limits are set in the child by `sh -c 'ulimit
//! ...; exec sweep ...'`, which needs no root: lowering a limit is allowed to anyone.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use tests::{Output, TestEnv};

/// Returns a scratch folder whose store holds the one-trial penguins sweep `name` (`name.yaml`),
/// and that file's path.
fn swept(name: &str) -> (TestEnv, String) {
    let env = TestEnv::new();
    let spec = env.write_spec(
        &format!("{name}.yaml"),
        &tests::penguins_spec(name, "  lr: {values: [0.01]}\n"),
    );
    let spec = spec.to_str().unwrap().to_string();
    let run = env.sweep(&["run", &spec, "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    (env, spec)
}

/// Returns `sweep ARGS` run as `env.command` runs it, under the shell's `ulimit` arguments
/// `limit` (`-n 21`).
fn limited(env: &TestEnv, limit: &str, args: &[&str]) -> Command {
    let command = env.command(&[]);
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(format!("ulimit {limit} && exec \"$0\" \"$@\""))
        .arg(command.get_program())
        .args(args)
        .current_dir(env.path());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => shell.env(key, value),
            None => shell.env_remove(key),
        };
    }
    shell
}

/// Runs `sweep serve --port 0` under `ulimit LIMIT` and returns its first line on standard
/// output (empty when it ended without one), what it said on standard error, and its exit code:
/// a server that started is stopped with Ctrl-C after its first line.
fn served(env: &TestEnv, limit: &str) -> (String, String, Option<i32>) {
    let mut serve = limited(env, limit, &["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Its first line, or nothing once it ends: a server that started is stopped after it.
    let mut first = String::new();
    BufReader::new(serve.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    if !first.is_empty() {
        crate::ctrl_c(&serve);
    }
    let mut said = String::new();
    serve
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut said)
        .unwrap();
    let code = serve.wait().unwrap().code();
    (first, said, code)
}

// The descriptors open are counted in `/proc/self/fd` (Linux's): elsewhere none are counted,
// and every worker asked for starts.
#[cfg(target_os = "linux")]
#[test]
fn issue_the_dashboard_refuses_too_few_descriptors_before_its_address_and_never_panics() {
    // `ulimit -n 21`: actix's worker panicked ("Too many open files" unwrapped) after `sweep
    // serve` had printed its address, exit 2 with the panic's text; `sweep run` stored every
    // trial, then exited 2 the same way.
    let (env, spec) = swept("few");
    let (first, said, code) = served(&env, "-n 21");
    assert!(!said.contains("panicked"), "{said}");
    assert_eq!(first, "", "no address before the refusal; said: {said}");
    assert_eq!(code, Some(2), "{said}");
    assert!(
        said.contains("error: too many open files: the dashboard needs ")
            && said.contains("descriptors, the limit is 21; raise `ulimit -n`"),
        "{said}"
    );
    // `sweep run` refuses before its trials, pointing at --no-serve too.
    let run = Output::from(
        limited(&env, "-n 21", &["run", &spec, "--extend", "1"])
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("raise `ulimit -n`, or pass --no-serve to run the sweep without it"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_soft_limit_on_open_files_below_the_hard_one_is_raised_and_the_dashboard_serves() {
    // `ulimit -S -n 21` alone (the hard limit as it was, far higher): the soft limit is raised
    // to the hard one at the start, so the dashboard serves rather than refusing.
    let (env, _) = swept("soft");
    let (first, said, code) = served(&env, "-S -n 21");
    assert!(
        first.starts_with("dashboard: http://"),
        "{first:?}; said: {said}"
    );
    assert_eq!(code, Some(130), "{said}");
}

#[test]
fn issue_a_store_past_the_file_size_limit_names_its_file_and_is_not_killed() {
    // `ulimit -f` below the size of `db`: every command that opened the store was killed by
    // SIGXFSZ (exit 153 from the shell, nothing said by sweep).
    let (env, _) = swept("sized");
    let db = env.store().join("db");
    let size = std::fs::metadata(&db).unwrap().len();
    // `ulimit -f` counts blocks of 512 bytes (POSIX `sh`) or 1024 (bash): 2 is below either.
    assert!(size > 2048, "the database is {size} bytes");
    for args in [&["ls"][..], &["show", "sized"], &["trials", "sized"]] {
        let out = Output::from(limited(&env, "-f 2", args).output().unwrap());
        assert_eq!(out.code, 2, "sweep {}: {out:?}", args.join(" "));
        assert!(
            out.stderr.contains("File too large")
                && out.stderr.contains(&format!(
                    "its database file {} is larger than the file size limit",
                    std::path::Path::new(".sweep").join("db").display()
                ))
                && out.stderr.contains("`ulimit -f`"),
            "sweep {}: {}",
            args.join(" "),
            out.stderr
        );
    }
    // Nothing stored was lost.
    let ls = env.sweep(&["trials", "sized"]);
    assert_eq!(ls.code, 0, "{ls:?}");
    assert!(ls.stdout.contains("completed"), "{}", ls.stdout);
}

#[cfg(unix)]
#[test]
fn issue_a_store_under_a_file_or_behind_a_dangling_link_makes_nothing_and_warns_nothing() {
    // `--store afile/sub` and `--store dangle` warned, in the log's raw format, that "the
    // empty store ... stays" although nothing was made; `ls` told to run a sweep first.
    let env = TestEnv::new();
    let spec = env.write_spec(
        "odd.yaml",
        &tests::penguins_spec("odd", "  lr: {values: [0.01]}\n"),
    );
    let spec = spec.to_str().unwrap();
    std::fs::write(env.path().join("afile"), "").unwrap();
    std::os::unix::fs::symlink(env.path().join("nowhere"), env.path().join("dangle")).unwrap();
    for store in ["afile/sub", "dangle", "dangle/sub"] {
        let run = env.sweep(&["run", spec, "--store", store, "--no-serve"]);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(
            !run.stderr.contains("WARN") && !run.stderr.contains("stays"),
            "{store}: {}",
            run.stderr
        );
    }
    // Under the link leading nowhere, both say so: `ls` said to run a sweep first, and the
    // run then failed with a bare "File exists (os error 17)".
    let under_link = format!(
        "error: cannot open store dangle/sub: dangle is a link to {}, which does not exist, so \
         no store can be under it; create the folder it points to, or name another\n",
        env.path().join("nowhere").display()
    );
    for command in [&["ls"][..], &["run", spec, "--no-serve"][..]] {
        let out = env.sweep(&[command, &["--store", "dangle/sub"][..]].concat());
        assert_eq!(out.code, 2, "{out:?}");
        assert!(
            out.stderr.ends_with(&under_link) && !out.stderr.contains("os error"),
            "{command:?}: {}",
            out.stderr
        );
    }
    let ls = env.sweep(&["ls", "--store", "afile/sub"]);
    assert_eq!(ls.code, 2, "{ls:?}");
    assert_eq!(
        ls.stderr,
        "error: cannot open store afile/sub: afile is a file, not a folder, so no store can be \
         under it\n"
    );
    let mut left: Vec<String> = std::fs::read_dir(env.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["afile", "dangle", "odd.yaml"]);
}

#[cfg(unix)]
#[test]
fn issue_a_store_that_cannot_be_one_is_refused_before_the_data_is_read() {
    // `sweep run FILE --store afile` read the data set first (a while, on a large CSV), said
    // what its missing cells came to, and only then refused the store.
    let env = TestEnv::new();
    let spec = env.write_spec(
        "odd.yaml",
        &tests::penguins_spec("odd", "  lr: {values: [0.01]}\n"),
    );
    let spec = spec.to_str().unwrap();
    std::fs::write(env.path().join("afile"), "").unwrap();
    for (store, why) in [
        ("afile", "it is a file, not a folder"),
        (
            "afile/sub",
            "afile is a file, not a folder, so no store can be under it",
        ),
    ] {
        let run = env.sweep(&["run", spec, "--store", store, "--no-serve"]);
        assert_eq!(run.code, 2, "{run:?}");
        assert_eq!(
            run.stderr,
            format!("error: cannot open store {store}: {why}\n"),
            "{store}"
        );
    }
    // A bad spec is still said first, as before.
    let bad = env.write_spec("bad.yaml", "name: bad\n");
    let run = env.sweep(&[
        "run",
        bad.to_str().unwrap(),
        "--store",
        "afile",
        "--no-serve",
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.starts_with("error: invalid experiment file"),
        "{}",
        run.stderr
    );
    let mut left: Vec<String> = std::fs::read_dir(env.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["afile", "bad.yaml", "odd.yaml"]);
}

#[test]
fn issue_a_compaction_that_swapped_nothing_says_nothing_of_the_shells_folder() {
    // `cd STORE; sweep compact --store .` said the shell's folder was deleted although the
    // store was as it was, and its progress line read `compacting ....`.
    let (env, _) = swept("inside");
    let out = Output::from(
        env.command(&["compact", "--store", "."])
            .current_dir(env.store())
            .output()
            .unwrap(),
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("nothing given back"), "{}", out.stdout);
    assert!(!out.stderr.contains("note:"), "{}", out.stderr);
    assert!(!out.stderr.contains("...."), "{}", out.stderr);
    // Its progress line claimed a swap before any was known (`its database is copied, checked
    // and swapped in`, then `nothing given back ... the store is as it was`).
    assert!(
        out.stderr.contains(
            "compacting .: its database is copied and checked, and swapped in only if the copy \
             is smaller"
        ) && !out.stderr.contains("checked and swapped in"),
        "{}",
        out.stderr
    );
}
