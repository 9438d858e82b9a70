//! A message or hint in every language, and the trait the message catalogue implements.

use super::Lang;

/// A message of the catalogue (see [`super::msg`]): one variant per sentence, its
/// arguments as fields, written in every [`Lang`].
pub trait Message {
    /// The sentence in `lang`.
    fn text(&self, lang: Lang) -> String;
}

/// A message or hint in English, and in Swedish when the catalogue has it.
///
/// Plain strings convert into a `Text` without Swedish; reports then fall back to
/// English. Catalogue messages convert with both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// The English sentence.
    pub en: String,
    /// The Swedish sentence, when written.
    pub sv: Option<String>,
}

impl Text {
    /// The sentence in `lang`, English when it has no translation.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Sv => self.sv.as_deref().unwrap_or(&self.en),
        }
    }

    /// Both languages of a catalogue message.
    pub fn of(message: &impl Message) -> Text {
        Text {
            en: message.text(Lang::En),
            sv: Some(message.text(Lang::Sv)),
        }
    }
}

impl From<&str> for Text {
    fn from(en: &str) -> Self {
        Text {
            en: en.to_owned(),
            sv: None,
        }
    }
}

impl From<String> for Text {
    fn from(en: String) -> Self {
        Text { en, sv: None }
    }
}

impl From<&String> for Text {
    fn from(en: &String) -> Self {
        Text {
            en: en.clone(),
            sv: None,
        }
    }
}

/// One sentence in English and Swedish, chosen by `lang`: `t!(lang, "en {x}", "sv {x}")`.
/// Both are `format!` strings, so every argument is checked at compile time.
#[macro_export]
macro_rules! t {
    ($lang:expr, $en:literal, $sv:literal $(,)?) => {
        match $lang {
            $crate::diagnostic::Lang::En => format!($en),
            $crate::diagnostic::Lang::Sv => format!($sv),
        }
    };
}
