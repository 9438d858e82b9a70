//! The message catalogue: every diagnostic message and hint, in English and Swedish,
//! side by side, one enum per stage with one variant per sentence.
//!
//! A call site constructs a variant instead of formatting a string, so that the
//! arguments are checked at compile time and no sentence exists in one language only.
//! Codes, file names, YAML keys and values stay as they are in both languages.

/// Makes catalogue enums convert into [`super::Text`] (both languages).
macro_rules! into_text {
    ($($ty:ty),* $(,)?) => {
        $(impl From<$ty> for $crate::diagnostic::Text {
            fn from(m: $ty) -> Self {
                $crate::diagnostic::Text::of(&m)
            }
        })*
    };
}

mod common;
mod content;
mod files;
mod form;
mod formtests;
mod markdown;
mod meta;
mod rules;
mod schema;
mod yaml;

pub use common::Common;
pub use content::Content;
pub use files::{Files, PathWrong, Special};
pub use form::{FormMsg, Misfit, Part, Value};
pub use formtests::{Class, Expected, Failure, Shown, Tests};
pub use markdown::Markdown;
pub use meta::Meta;
pub use rules::{Risk, Rules};
pub use schema::{Name, Reads, Schema, Why, type_word};
pub use yaml::{Refusal, Yaml};

into_text!(
    Common, Tests, FormMsg, Misfit, Part, Content, Meta, Rules, Risk, Files, Special, Markdown,
    Yaml, Refusal, Schema, Name, Why
);
