//! Feeds arbitrary bytes through the whole load path of one file, the way
//! `moment check` reads it: decode (UTF-8, byte order mark, NUL) → YAML with positions
//! and schema validation → front-matter split → front matter YAML → Markdown with its
//! fenced `video`, `audio` and `form` blocks. Any panic, overflow or hang is a bug.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use moment::load::yaml::{self, Offset};
use moment::load::{markdown, source};
use moment::schema::{SchemaKind, Schemas};

fn schemas() -> &'static Schemas {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    SCHEMAS.get_or_init(Schemas::compile)
}

fuzz_target!(|data: &[u8]| {
    let mut out = Vec::new();
    let Some(text) = source::decode(data.to_vec(), "fuzz.md", &mut out) else {
        return;
    };

    // As a whole YAML file, validated like moment.yaml and like a form.
    if let Ok(Some(node)) = yaml::parse(&text, Offset::NONE) {
        for kind in [SchemaKind::Moment, SchemaKind::Form] {
            let _ = schemas().validate(kind, &node, &mut out);
        }
    }

    // As a module: front matter, then Markdown.
    if let Ok((front, body, offset)) = markdown::split_front_matter(&text) {
        if let Ok(Some(node)) = yaml::parse(
            front,
            Offset {
                lines: 1,
                ..Offset::NONE
            },
        ) {
            let _ = schemas().validate(SchemaKind::Module, &node, &mut out);
        }
        let md = markdown::parse("fuzz.md", body, offset, schemas(), &mut out);
        let _ = markdown::lix(&md.prose);
    }

    // As a welcome text: Markdown only.
    let md = markdown::parse("welcome.md", &text, 0, schemas(), &mut out);
    let _ = markdown::lix(&md.prose);

    for d in &out {
        assert!(
            d.line >= 1 && d.column >= 1,
            "diagnostic at {}:{}",
            d.line,
            d.column
        );
    }
});
