//! Messages of reading Markdown modules: front matter, blocks, nesting.

use crate::diagnostic::{Lang, Message};
use crate::t;

/// What reading a Markdown module reports.
#[derive(Clone, Debug)]
pub enum Markdown {
    /// The file does not start with `---`.
    NoFrontMatter,
    /// Hint for [`Markdown::NoFrontMatter`].
    NoFrontMatterHint,
    /// The front matter has no closing `---`.
    FrontMatterOpen,
    /// Hint for [`Markdown::FrontMatterOpen`].
    FrontMatterOpenHint,
    /// Quotes and lists nested too deep.
    TooDeep { limit: usize },
    /// Hint for [`Markdown::TooDeep`].
    TooDeepHint,
    /// A media or form block without a body (`video`, `audio` or `form`).
    EmptyBlock { kind: &'static str },
    /// Hint for an empty form block.
    EmptyFormBlockHint,
    /// Hint for an empty video or audio block.
    EmptyMediaBlockHint,
}

impl Message for Markdown {
    fn text(&self, lang: Lang) -> String {
        use Markdown::*;
        match self {
            NoFrontMatter => t!(
                lang,
                "the module has no front matter",
                "modulen saknar front matter (inledande `---`-block)"
            ),
            NoFrontMatterHint => t!(
                lang,
                "start the file with a `---` line, then `title: …`, then another `---` line",
                "börja filen med en rad `---`, sedan `title: …` och sedan en rad `---` till"
            ),
            FrontMatterOpen => t!(
                lang,
                "the front matter is not closed",
                "front matter avslutas aldrig"
            ),
            FrontMatterOpenHint => t!(
                lang,
                "end the front matter with a line that holds only `---`",
                "avsluta front matter med en rad där det bara står `---`"
            ),
            TooDeep { limit } => t!(
                lang,
                "block quotes and lists are nested more than {limit} levels deep",
                "citat och listor är nästlade i fler än {limit} nivåer"
            ),
            TooDeepHint => t!(
                lang,
                "flatten the text: a reader cannot follow more than a few levels",
                "gör texten plattare: en läsare kan inte följa mer än några få nivåer"
            ),
            EmptyBlock { kind } => t!(lang, "the {kind} block is empty", "blocket {kind} är tomt"),
            EmptyFormBlockHint => t!(
                lang,
                "write `ref: <form id>` inside the block",
                "skriv `ref: <formulärets id>` i blocket"
            ),
            EmptyMediaBlockHint => t!(
                lang,
                "write `src: <file>` and `title: <what it is>` inside the block",
                "skriv `src: <fil>` och `title: <vad det är>` i blocket"
            ),
        }
    }
}
