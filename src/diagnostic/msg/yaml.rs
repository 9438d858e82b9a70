//! Messages of the YAML stage: syntax, indentation, quoting and refused constructs.

use crate::diagnostic::{Lang, Message};
use crate::t;

/// What the YAML reader reports.
#[derive(Clone, Debug)]
pub enum Yaml {
    /// A key's value holds `: `, read as a second key.
    ColonInValue { key: String },
    /// Hint: quote the value.
    QuoteValue { key: String, quoted: String },
    /// A key is indented further than the line above, which has a value.
    KeyIndented { key: String, line: u32 },
    /// Hint: where the over-indented key belongs.
    KeyIndentedHint {
        key: String,
        column: u32,
        above: String,
    },
    /// A line does not line up with any key or list above.
    Misaligned { line: u32, column: u32 },
    /// Hint: line keys and list items up.
    MisalignedHint,
    /// A list item starts left of the items above it.
    ItemMisaligned { column: u32, above: u32 },
    /// Hint: put every `-` in one column.
    ItemMisalignedHint { above: u32 },
    /// A list item is indented further than the item above and reads as its text.
    ItemOverIndented { item: String, joined: String },
    /// Hint: move the over-indented item left.
    ItemOverIndentedHint { column: u32 },
    /// Hint: a value followed by an indented `- ` line.
    ItemUnderValueHint { key: String },
    /// A line that is neither `key: value` nor a list item.
    NotKeyValue { line: u32 },
    /// Hint for [`Yaml::NotKeyValue`].
    NotKeyValueHint,
    /// A value starts with a character YAML reserves.
    ReservedStart { ch: char },
    /// A quote is opened and never closed.
    UnclosedQuote { quote: char },
    /// Hint: close the quote.
    UnclosedQuoteHint { quote: char },
    /// A `[` or `{` list is not closed.
    UnclosedFlow { open: char, line: u32 },
    /// Hint: close the flow list.
    UnclosedFlowHint { open: char, close: char },
    /// A list item on the same line as its key.
    ItemAfterKey,
    /// Hint for [`Yaml::ItemAfterKey`].
    ItemAfterKeyHint { key: String, item: String },
    /// Any other syntax error, with the parser's words.
    Other { info: String },
    /// Hint for tabs.
    TabsHint,
    /// The general hint.
    GeneralHint,
    /// Anchors, aliases, tags or several documents.
    Refused { what: Refusal },
    /// Hint for refused constructs.
    RefusedHint,
    /// Hint for refused constructs, with how many anchors and aliases there are.
    RefusedHintCount { count: usize },
    /// Nesting deeper than the limit.
    TooDeep { limit: usize },
    /// Hint: flatten.
    TooDeepHint,
    /// A key that is not plain text.
    KeyNotText,
    /// Hint for [`Yaml::KeyNotText`].
    KeyNotTextHint,
    /// A key given twice.
    DuplicateKey { key: String },
    /// Hint: keep one.
    DuplicateKeyHint { key: String, first: u32 },
}

/// A construct moment files do not use.
#[derive(Clone, Copy, Debug)]
pub enum Refusal {
    /// `&name`.
    Anchor,
    /// `*name`.
    Alias,
    /// `!tag`.
    Tag,
    /// `---` a second time.
    Document,
}

impl Message for Yaml {
    fn text(&self, lang: Lang) -> String {
        use Yaml::*;
        match self {
            ColonInValue { key } => t!(
                lang,
                "the value of `{key}` contains `: `, which YAML reads as the start of another key",
                "värdet för `{key}` innehåller `: `, som YAML läser som början på en ny nyckel"
            ),
            QuoteValue { key, quoted } => t!(
                lang,
                "put the value in quotes: `{key}: {quoted}`",
                "sätt värdet inom citattecken: `{key}: {quoted}`"
            ),
            KeyIndented { key, line } => t!(
                lang,
                "`{key}:` on line {line} is indented further than the line above it",
                "`{key}:` på rad {line} är mer indraget än raden ovanför"
            ),
            KeyIndentedHint { key, column, above } => t!(
                lang,
                "start `{key}:` in column {column}, under `{above}`; only a key that ends with `:` and has nothing after it can have keys indented under it",
                "börja `{key}:` i kolumn {column}, under `{above}`; bara en nyckel som slutar med `:` utan något efter kan ha indragna nycklar under sig"
            ),
            Misaligned { line, column } => t!(
                lang,
                "line {line} starts in column {column}, which does not line up with the lines above",
                "rad {line} börjar i kolumn {column}, som inte stämmer med raderna ovanför"
            ),
            MisalignedHint => t!(
                lang,
                "indent the line like the lines it belongs with: keys of one mapping start in the same column, and so do the `-` of one list",
                "dra in raden lika mycket som raderna den hör ihop med: nycklarna i en grupp börjar i samma kolumn, och likaså alla `-` i en lista"
            ),
            ItemMisaligned { column, above } => t!(
                lang,
                "this list item starts in column {column}, but the items above start in column {above}",
                "den här punkten i listan börjar i kolumn {column}, men punkterna ovanför börjar i kolumn {above}"
            ),
            ItemMisalignedHint { above } => t!(
                lang,
                "put the `-` of every item of the list in column {above}, one item per line",
                "sätt `-` för varje punkt i listan i kolumn {above}, en punkt per rad"
            ),
            ItemOverIndented { item, joined } => t!(
                lang,
                "`- {item}` is indented further than the line above, so YAML reads it as more text of that line (`{joined}`), not as a new list item",
                "`- {item}` är mer indraget än raden ovanför, så YAML läser det som mer text på den raden (`{joined}`), inte som en ny punkt i listan"
            ),
            ItemOverIndentedHint { column } => t!(
                lang,
                "move the `-` left to column {column}, under the `-` of the item above: the items of one list start in the same column",
                "flytta `-` till vänster, till kolumn {column}, under `-` på punkten ovanför: punkterna i en lista börjar i samma kolumn"
            ),
            ItemUnderValueHint { key } => t!(
                lang,
                "to write a list, leave nothing after `{key}:` and put each item on its own line below it, such as `  - first` and `  - second`, every `-` in the same column",
                "för att skriva en lista, låt det inte stå något efter `{key}:` och skriv varje punkt på en egen rad under, som `  - första` och `  - andra`, med alla `-` i samma kolumn"
            ),
            NotKeyValue { line } => t!(
                lang,
                "line {line} is neither `key: value` nor a list item",
                "rad {line} är varken `nyckel: värde` eller en punkt i en lista"
            ),
            NotKeyValueHint => t!(
                lang,
                "write it as `key: value`; if it continues the text of the line above, indent it under that value or put the whole text in quotes",
                "skriv den som `nyckel: värde`; om den fortsätter texten på raden ovanför, dra in den under värdet eller sätt hela texten inom citattecken"
            ),
            ReservedStart { ch } => t!(
                lang,
                "a value cannot start with `{ch}` unless it is in quotes",
                "ett värde kan inte börja med `{ch}` om det inte står inom citattecken"
            ),
            UnclosedQuote { quote } => t!(
                lang,
                "the quote {quote} that starts here is never closed",
                "citattecknet {quote} som börjar här avslutas aldrig"
            ),
            UnclosedQuoteHint { quote } => t!(
                lang,
                "end the text with the same quote mark it starts with, on the same line: {quote}text{quote}",
                "avsluta texten med samma citattecken som den börjar med, på samma rad: {quote}text{quote}"
            ),
            UnclosedFlow { open, line } => t!(
                lang,
                "the `{open}` opened on line {line} is not closed",
                "`{open}` som öppnas på rad {line} stängs aldrig"
            ),
            UnclosedFlowHint { open, close } => t!(
                lang,
                "end the list with `{close}` on the same line as `{open}`, such as `owners: [anna@example.se, bo@example.se]`, or write one `- item` per line",
                "avsluta listan med `{close}` på samma rad som `{open}`, som `owners: [anna@example.se, bo@example.se]`, eller skriv en `- punkt` per rad"
            ),
            ItemAfterKey => t!(
                lang,
                "a list item cannot start on the same line as its key",
                "en punkt i en lista kan inte börja på samma rad som sin nyckel"
            ),
            ItemAfterKeyHint { key, item } => t!(
                lang,
                "put the list on the lines below the key (`{key}:`, then `  - {item}`), or put the text in quotes: `{key}: \"- {item}\"`",
                "skriv listan på raderna under nyckeln (`{key}:`, sedan `  - {item}`), eller sätt texten inom citattecken: `{key}: \"- {item}\"`"
            ),
            Other { info } => t!(lang, "YAML syntax error: {info}", "YAML-syntaxfel: {info}"),
            TabsHint => t!(
                lang,
                "indent with spaces; YAML does not allow tabs for indentation",
                "dra in med mellanslag; YAML tillåter inte tabbar för indrag"
            ),
            GeneralHint => t!(
                lang,
                "check the indentation and that every `key: value` pair has a space after the colon; quote text that contains `: ` or starts with a special character",
                "kontrollera indragen och att varje `nyckel: värde` har ett mellanslag efter kolonet; sätt text som innehåller `: ` eller börjar med ett specialtecken inom citattecken"
            ),
            Refused { what } => what.text(lang),
            RefusedHint => t!(
                lang,
                "write the value out in full; moment files use plain YAML without anchors (&), aliases (*), tags (!) or several documents",
                "skriv ut värdet i sin helhet; momentfiler använder enkel YAML utan ankare (&), alias (*), taggar (!) eller flera dokument"
            ),
            RefusedHintCount { count } => t!(
                lang,
                "this document uses {count} anchors and aliases: write each value out in full; moment files use plain YAML without anchors (&), aliases (*), tags (!) or several documents",
                "dokumentet använder {count} ankare och alias: skriv ut varje värde i sin helhet; momentfiler använder enkel YAML utan ankare (&), alias (*), taggar (!) eller flera dokument"
            ),
            TooDeep { limit } => t!(
                lang,
                "YAML nested more than {limit} levels deep",
                "YAML-texten är nästlad i fler än {limit} nivåer"
            ),
            TooDeepHint => t!(
                lang,
                "flatten the structure; moment files never need this depth",
                "gör strukturen plattare; momentfiler behöver aldrig så många nivåer"
            ),
            KeyNotText => t!(
                lang,
                "a list or mapping cannot be a key",
                "en lista eller en grupp kan inte vara en nyckel"
            ),
            KeyNotTextHint => t!(
                lang,
                "keys are plain words such as `title`",
                "nycklar är vanliga ord som `title`"
            ),
            DuplicateKey { key } => t!(
                lang,
                "duplicate key `{key}`",
                "nyckeln `{key}` förekommer två gånger"
            ),
            DuplicateKeyHint { key, first } => t!(
                lang,
                "`{key}` is already set on line {first}; keep one of them",
                "`{key}` finns redan på rad {first}; behåll en av dem"
            ),
        }
    }
}

impl Message for Refusal {
    fn text(&self, lang: Lang) -> String {
        match self {
            Refusal::Anchor => t!(
                lang,
                "YAML anchors (&name) are not allowed here",
                "YAML-ankare (&namn) är inte tillåtna här"
            ),
            Refusal::Alias => t!(
                lang,
                "YAML aliases (*name) are not allowed here",
                "YAML-alias (*namn) är inte tillåtna här"
            ),
            Refusal::Tag => t!(
                lang,
                "YAML tags (!tag) are not allowed here",
                "YAML-taggar (!tagg) är inte tillåtna här"
            ),
            Refusal::Document => t!(
                lang,
                "several YAML documents in one file are not allowed here",
                "flera YAML-dokument i en fil är inte tillåtna här"
            ),
        }
    }
}
