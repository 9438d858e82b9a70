//! Text comparison: paragraph alignment, word-level differences and similarity.

use serde::Serialize;

/// One step of a word-level difference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "op", content = "text", rename_all = "lowercase")]
pub enum WordOp {
    /// Words in both.
    Same(String),
    /// Words only in the old text.
    Removed(String),
    /// Words only in the new text.
    Added(String),
}

/// A longest-common-subsequence alignment of two sequences: pairs of indexes that
/// match, in order.
fn lcs<T: PartialEq>(a: &[T], b: &[T]) -> Vec<(usize, usize)> {
    // Texts of moments are small; a quadratic table is fine, but cap it to stay safe.
    if a.len().saturating_mul(b.len()) > 4_000_000 {
        return a
            .iter()
            .zip(b)
            .enumerate()
            .filter(|(_, (x, y))| x == y)
            .map(|(i, _)| (i, i))
            .collect();
    }
    let mut table = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i][j] = if a[i] == b[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Word-level difference of two texts.
pub fn words(old: &str, new: &str) -> Vec<WordOp> {
    let a: Vec<&str> = old.split_whitespace().collect();
    let b: Vec<&str> = new.split_whitespace().collect();
    let pairs = lcs(&a, &b);
    let mut ops: Vec<WordOp> = Vec::new();
    let push = |ops: &mut Vec<WordOp>, op: WordOp| {
        let merged = match (ops.last_mut(), &op) {
            (Some(WordOp::Same(s)), WordOp::Same(t))
            | (Some(WordOp::Removed(s)), WordOp::Removed(t))
            | (Some(WordOp::Added(s)), WordOp::Added(t)) => {
                s.push(' ');
                s.push_str(t);
                true
            }
            _ => false,
        };
        if !merged {
            ops.push(op);
        }
    };
    let (mut i, mut j) = (0, 0);
    for (pi, pj) in pairs.into_iter().chain(std::iter::once((a.len(), b.len()))) {
        while i < pi {
            push(&mut ops, WordOp::Removed(a[i].to_owned()));
            i += 1;
        }
        while j < pj {
            push(&mut ops, WordOp::Added(b[j].to_owned()));
            j += 1;
        }
        if pi < a.len() && pj < b.len() {
            push(&mut ops, WordOp::Same(a[pi].to_owned()));
            i += 1;
            j += 1;
        }
    }
    ops
}

/// An edit of a list of paragraphs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParagraphEdit {
    /// Paragraph `new` was added.
    Added(usize),
    /// Paragraph `old` was removed.
    Removed(usize),
    /// Paragraph `old` became paragraph `new`.
    Changed(usize, usize),
}

/// Aligns two lists of paragraphs; unmatched paragraphs between the same anchors are
/// paired up as changes when they resemble each other.
pub fn paragraphs(old: &[String], new: &[String]) -> Vec<ParagraphEdit> {
    let pairs = lcs(old, new);
    let mut edits = Vec::new();
    let (mut i, mut j) = (0, 0);
    for (pi, pj) in pairs
        .into_iter()
        .chain(std::iter::once((old.len(), new.len())))
    {
        let removed: Vec<usize> = (i..pi).collect();
        let added: Vec<usize> = (j..pj).collect();
        let mut used = vec![false; added.len()];
        for &r in &removed {
            let best = added
                .iter()
                .enumerate()
                .filter(|(k, _)| !used[*k])
                .map(|(k, &a)| (similarity(&old[r], &new[a]), k, a))
                .max_by(|x, y| x.0.total_cmp(&y.0));
            match best {
                Some((score, k, a)) if score >= 0.3 => {
                    used[k] = true;
                    edits.push(ParagraphEdit::Changed(r, a));
                }
                _ => edits.push(ParagraphEdit::Removed(r)),
            }
        }
        for (k, &a) in added.iter().enumerate() {
            if !used[k] {
                edits.push(ParagraphEdit::Added(a));
            }
        }
        i = pi + 1;
        j = pj + 1;
    }
    edits
}

/// Jaccard similarity of the word sets of two texts, from 0 to 1.
pub fn similarity(a: &str, b: &str) -> f64 {
    use std::collections::BTreeSet;
    let words =
        |t: &str| -> BTreeSet<String> { t.split_whitespace().map(str::to_lowercase).collect() };
    let (x, y) = (words(a), words(b));
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    x.intersection(&y).count() as f64 / x.union(&y).count() as f64
}

/// Renders word operations as `[-removed-]{+added+}` text.
pub fn inline(ops: &[WordOp]) -> String {
    ops.iter()
        .map(|op| match op {
            WordOp::Same(t) => t.clone(),
            WordOp::Removed(t) => format!("[-{t}-]"),
            WordOp::Added(t) => format!("{{+{t}+}}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_diff() {
        let ops = words(
            "Sov minst sju timmar varje natt",
            "Sov gärna åtta timmar varje natt",
        );
        assert_eq!(
            inline(&ops),
            "Sov [-minst sju-] {+gärna åtta+} timmar varje natt"
        );
    }

    #[test]
    fn paragraph_alignment() {
        let old = vec![
            "A b c".to_owned(),
            "Helt annat stycke".to_owned(),
            "Slut".to_owned(),
        ];
        let new = vec!["A b c d".to_owned(), "Slut".to_owned(), "Nytt".to_owned()];
        let edits = paragraphs(&old, &new);
        assert!(edits.contains(&ParagraphEdit::Changed(0, 0)));
        assert!(edits.contains(&ParagraphEdit::Removed(1)));
        assert!(edits.contains(&ParagraphEdit::Added(2)));
    }
}
