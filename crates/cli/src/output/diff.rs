//! Settings and files as a person compares them: resolved settings without Rust's wrappers,
//! and a line diff with context.

/// Returns resolved settings (`ExperimentSpec::resolved`, which the record keeps in Rust's
/// notation so that a stored hash never moves) as people read them, for a diff shown to them:
/// `Some(3)` as `3`, `Float(0.01)` as `0.01`, `Str("relu")` as `"relu"`, `Int`, `Bool` alike.
pub(crate) fn readable_settings(text: &str) -> String {
    const WRAPPERS: [&str; 5] = ["Some(", "Int(", "Float(", "Str(", "Bool("];
    let mut out = String::with_capacity(text.len());
    // For each parenthesis open: whether its closing one is dropped with its wrapper.
    let mut open: Vec<bool> = Vec::new();
    let mut quoted = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let starts_word = !out
            .chars()
            .next_back()
            .is_some_and(|p| p.is_alphanumeric() || p == '_');
        match WRAPPERS.iter().find(|w| rest.starts_with(*w)) {
            Some(wrapper) if !quoted && starts_word => {
                open.push(true);
                rest = &rest[wrapper.len()..];
                continue;
            }
            _ => {}
        }
        // A parenthesis closes the last one open (`pop`), dropped with its wrapper's.
        if c == ')' && !quoted && open.pop() == Some(true) {
            rest = &rest[1..];
            continue;
        }
        match c {
            '"' if !out.ends_with('\\') => quoted = !quoted,
            '(' if !quoted => open.push(false),
            '\n' => {
                open.clear();
                quoted = false;
            }
            _ => {}
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Returns a unified-style diff of two texts: changed lines marked `-` (old) and `+` (new),
/// with one line of context; equal texts give an empty string.
pub(crate) fn line_diff(old: &str, new: &str) -> String {
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
    let changed: Vec<bool> = ops.iter().map(|(c, _)| *c != ' ').collect();
    let near = |k: usize| {
        changed[k.saturating_sub(1)..(k + 2).min(changed.len())]
            .iter()
            .any(|c| *c)
    };
    let mut out = Vec::new();
    let mut skipped = false;
    for (k, (c, line)) in ops.iter().enumerate() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolved_settings_read_without_rusts_wrappers() {
        assert_eq!(
            readable_settings(
                "parallel: Some(3)\ntrain.lr: Float(0.003)\nmodel.activation: Str(\"relu (x)\")\n\
                 train.batch_size: searched Categorical { values: [Int(16), Int(32)], probabilities: None }\n\
                 early_stopping: Some(EarlyStopping { metric: \"val_loss\", patience: 8 })\n\
                 model.layer_norm: Bool(false)\ndata.split: SplitSpec { validation: 0.2 }\n\
                 name: \"Some(1) stays\""
            ),
            "parallel: 3\ntrain.lr: 0.003\nmodel.activation: \"relu (x)\"\n\
             train.batch_size: searched Categorical { values: [16, 32], probabilities: None }\n\
             early_stopping: EarlyStopping { metric: \"val_loss\", patience: 8 }\n\
             model.layer_norm: false\ndata.split: SplitSpec { validation: 0.2 }\n\
             name: \"Some(1) stays\""
        );
    }

    #[test]
    fn line_diff_marks_changes_with_context() {
        let old = "name: a\nseed: 5\nmethod: random\nrun_cap: 4\nparallel: 2";
        let new = "name: a\nseed: 6\nmethod: random\nrun_cap: 4\nparallel: 2";
        assert_eq!(
            line_diff(old, new),
            "  name: a\n- seed: 5\n+ seed: 6\n  method: random"
        );
        assert_eq!(line_diff(old, old), "");
        assert_eq!(line_diff("a\nb", "a\nb\nc"), "  b\n+ c");
    }
}
