//! Finding what a mistyped word was meant to be, for "did you mean" hints in error messages.

/// Returns the candidate closest to `word`: within a small edit distance, or sharing a prefix.
pub fn suggest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let word_len = word.chars().count();
    let limit = if word_len <= 3 { 1 } else { 2 };
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = edit_distance(word, candidate);
        let prefix = word_len >= 3 && (candidate.starts_with(word) || word.starts_with(candidate));
        let close = distance <= limit || prefix;
        if close && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance, counted in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_or_share_a_prefix() {
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            ("lrr", &["lr", "l2", "epochs"], Some("lr")),
            ("nmae", &["name", "seed"], Some("name")),
            (
                "early_stop",
                &["epochs", "early_stopping"],
                Some("early_stopping"),
            ),
            (
                "val_acc",
                &["val_loss", "val_accuracy"],
                Some("val_accuracy"),
            ),
            ("xyz", &["name", "seed"], None),
            ("optimiser", &["optimizer", "lr"], Some("optimizer")),
        ];
        for (word, candidates, want) in cases {
            assert_eq!(
                suggest(word, candidates.iter().copied()),
                *want,
                "suggest({word:?})"
            );
        }
    }

    #[test]
    fn edit_distance_counts_characters() {
        for (a, b, want) in [
            ("", "", 0),
            ("abc", "", 3),
            ("kitten", "sitting", 3),
            ("é", "e", 1),
        ] {
            assert_eq!(edit_distance(a, b), want, "{a} {b}");
        }
    }
}
