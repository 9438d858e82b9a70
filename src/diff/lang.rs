//! The languages diff reports are written in, and the small words they share.

use serde::Serialize;

/// A language of the reports: the moment's `language`, Swedish unless it is English.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Swedish, the default.
    #[default]
    Sv,
    /// English.
    En,
}

impl Lang {
    /// The language of a BCP 47 tag such as `sv`, `sv-SE` or `en-GB`.
    pub fn from_tag(tag: &str) -> Lang {
        let primary = tag.split(['-', '_']).next().unwrap_or(tag);
        if primary.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Sv
        }
    }

    /// `text` in the language's quotation marks.
    pub fn quote(self, text: &str) -> String {
        match self {
            Lang::Sv => format!("”{text}”"),
            Lang::En => format!("“{text}”"),
        }
    }

    /// Picks the Swedish or the English text.
    pub fn pick<'a>(self, sv: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Sv => sv,
            Lang::En => en,
        }
    }

    /// A list joined with commas and a final "och"/"and".
    pub fn and_list(self, items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} {} {last}", init.join(", "), self.pick("och", "and")),
        }
    }
}

/// Shortens a text to about `max` characters at a word boundary, with `…`.
pub fn shorten(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let mut out = String::new();
    for word in text.split(' ') {
        if out.chars().count() + word.chars().count() + 1 > max && !out.is_empty() {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.chars().count() > max {
        out = out.chars().take(max).collect();
    }
    let out = out.trim_end_matches([',', '.', ';', ':']);
    format!("{out}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!(Lang::from_tag("sv-SE"), Lang::Sv);
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag("fi"), Lang::Sv);
    }

    #[test]
    fn shortening() {
        assert_eq!(shorten("Hur bra sov du?", 60), "Hur bra sov du?");
        assert_eq!(
            shorten(
                "Har du känt dig spänd i kroppen, till exempel i nacken, axlarna eller käken?",
                40
            ),
            "Har du känt dig spänd i kroppen, till…"
        );
    }

    #[test]
    fn lists() {
        let l = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(Lang::Sv.and_list(&l(&["a", "b", "c"])), "a, b och c");
        assert_eq!(Lang::En.and_list(&l(&["a"])), "a");
    }
}
