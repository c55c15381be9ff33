//! Files as a person compares them: a line diff with context, each line as it is or as a
//! person reads it (a resolved spec's settings).

/// Returns a unified-style diff of two texts' lines: changed lines marked `-` (old) and `+`
/// (new), with one line of context; equal texts give an empty string.
///
/// The lines compared are the texts' own; each is shown as `shown` writes it (a resolved spec's
/// setting as the YAML writes it: `ExperimentSpec::readable_resolved`), but for a removed and an
/// added line of one change that `shown` writes alike (`k: Some(1)` and `k: 1`, both `k: 1`):
/// those are shown as they are, so that a change is never hidden nor shown as no change.
pub(crate) fn line_diff(old: &str, new: &str, shown: impl Fn(&str) -> String) -> String {
    let ops = line_ops(old, new);
    let mut lines: Vec<String> = ops.iter().map(|(_, line)| shown(line)).collect();
    let mut as_stored = vec![false; ops.len()];
    let mut start = 0;
    while start < ops.len() {
        let run = ops[start..].iter().take_while(|(c, _)| *c != ' ').count();
        for i in start..start + run {
            for j in start..start + run {
                if ops[i].0 == '-' && ops[j].0 == '+' && lines[i] == lines[j] {
                    as_stored[i] = true;
                    as_stored[j] = true;
                }
            }
        }
        start += run.max(1);
    }
    for (k, line) in lines.iter_mut().enumerate() {
        if as_stored[k] {
            *line = ops[k].1.to_string();
        }
    }
    let changed: Vec<bool> = ops.iter().map(|(c, _)| *c != ' ').collect();
    let near = |k: usize| {
        changed[k.saturating_sub(1)..(k + 2).min(changed.len())]
            .iter()
            .any(|c| *c)
    };
    let mut out = Vec::new();
    let mut skipped = false;
    for (k, ((c, _), line)) in ops.iter().zip(&lines).enumerate() {
        if near(k) {
            if skipped && !out.is_empty() {
                out.push("  ...".to_string());
            }
            skipped = false;
            out.push(format!("{c} {line}"));
        } else {
            skipped = true;
        }
    }
    out.join("\n")
}

/// Returns the lines of `old` and `new` in the order of a diff, each marked ` ` (in both), `-`
/// (only in `old`) or `+` (only in `new`), by their longest common subsequence.
fn line_ops<'a>(old: &'a str, new: &'a str) -> Vec<(char, &'a str)> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    // Longest common subsequence table, from the ends.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] > lcs[i + 1][j]) {
            ops.push(('+', b[j]));
            j += 1;
        } else {
            ops.push(('-', a[i]));
            i += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_diff_marks_changes_with_context() {
        let old = "name: a\nseed: 5\nmethod: random\nrun_cap: 4\nparallel: 2";
        let new = "name: a\nseed: 6\nmethod: random\nrun_cap: 4\nparallel: 2";
        assert_eq!(
            line_diff(old, new, str::to_string),
            "  name: a\n- seed: 5\n+ seed: 6\n  method: random"
        );
        assert_eq!(line_diff(old, old, str::to_string), "");
        assert_eq!(line_diff("a\nb", "a\nb\nc", str::to_string), "  b\n+ c");
    }

    #[test]
    fn lines_shown_alike_are_shown_as_they_are_and_the_rest_as_shown() {
        let readable = experiment::ExperimentSpec::readable_resolved;
        let old =
            "name: \"a\"\nk: a Some(1), b\nmethod: Grid(GridConfig { shuffle: false })\nseed: 1";
        let new = "name: \"a\"\nk: a 1, b\nmethod: Grid(GridConfig { shuffle: true })\nseed: 1";
        assert_eq!(
            line_diff(old, new, readable),
            "  name: a\n- k: a Some(1), b\n- method: grid (shuffle: false)\n+ k: a 1, b\n\
             + method: grid (shuffle: true)\n  seed: 1"
        );
        // Alone, the pair that reads alike still shows.
        assert_eq!(
            line_diff("k: a Some(1), b", "k: a 1, b", readable),
            "- k: a Some(1), b\n+ k: a 1, b"
        );
    }
}
