//! Whether a risk analysis is a real one: not empty, not shorter than a meaningful
//! minimum, and no longer the scaffold's template (which carries [`TEMPLATE_MARKER`]
//! until the designer removes it). `check` warns (W020) and `publish` refuses.

/// The line `moment new` puts in the template risk analysis; the designer removes it
/// when the analysis is written.
pub const TEMPLATE_MARKER: &str =
    "<!-- moment: mall för riskanalys. Ta bort den här raden när riskanalysen är skriven. -->";

/// The fewest words (outside headings and HTML comments) a risk analysis may have.
pub const MIN_WORDS: usize = 50;

/// What is wrong with a risk analysis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RiskProblem {
    /// The file holds no text.
    Empty,
    /// The scaffold's marker line is still there (1-based line number).
    Template(usize),
    /// Fewer than [`MIN_WORDS`] words.
    Short(usize),
}

impl RiskProblem {
    /// One sentence for people.
    pub fn describe(&self) -> String {
        match self {
            RiskProblem::Empty => "the risk analysis is empty".to_owned(),
            RiskProblem::Template(_) => {
                "the risk analysis is still the template of `moment new` (its marker line is there)"
                    .to_owned()
            }
            RiskProblem::Short(n) => format!(
                "the risk analysis has {n} word(s), fewer than the {MIN_WORDS} a real one needs"
            ),
        }
    }

    /// The 1-based line the problem is on.
    pub fn line(&self) -> usize {
        match self {
            RiskProblem::Template(line) => *line,
            _ => 1,
        }
    }
}

/// Judges the text of a risk analysis.
pub fn problem(text: &str) -> Option<RiskProblem> {
    if let Some(line) = text.lines().position(|l| l.contains(TEMPLATE_MARKER)) {
        return Some(RiskProblem::Template(line + 1));
    }
    if text.trim().is_empty() {
        return Some(RiskProblem::Empty);
    }
    let words = words(text);
    (words < MIN_WORDS).then_some(RiskProblem::Short(words))
}

/// Words outside headings and HTML comments.
fn words(text: &str) -> usize {
    let mut in_comment = false;
    let mut count = 0;
    for line in text.lines() {
        let mut rest = line;
        let mut prose = String::new();
        loop {
            if in_comment {
                match rest.find("-->") {
                    Some(end) => {
                        rest = &rest[end + 3..];
                        in_comment = false;
                    }
                    None => break,
                }
            } else {
                match rest.find("<!--") {
                    Some(start) => {
                        prose.push_str(&rest[..start]);
                        prose.push(' ');
                        rest = &rest[start + 4..];
                        in_comment = true;
                    }
                    None => {
                        prose.push_str(rest);
                        break;
                    }
                }
            }
        }
        if !prose.trim_start().starts_with('#') {
            count += prose
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count();
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judges() {
        assert_eq!(problem(" \n"), Some(RiskProblem::Empty));
        assert_eq!(
            problem(&format!("# R\n\n{TEMPLATE_MARKER}\n")),
            Some(RiskProblem::Template(3))
        );
        assert_eq!(
            problem("# Riskanalys\n\nKort text."),
            Some(RiskProblem::Short(2))
        );
        assert_eq!(problem(&"ord ".repeat(MIN_WORDS)), None);
        assert_eq!(
            problem(&format!("<!-- {} -->", "ord ".repeat(MIN_WORDS))),
            Some(RiskProblem::Short(0))
        );
    }
}
