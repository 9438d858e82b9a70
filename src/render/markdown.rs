//! Markdown to sanitised HTML, split around the fenced media and form blocks.
//!
//! Raw HTML is never rendered and comrak drops `javascript:`-style URLs; local
//! links and images are rewritten to the bundle's pages and content-addressed assets.
//!
//! A text is formatted once, by the load stage while it holds the parsed tree
//! ([`format`]), before its links can be resolved: each link's and image's URL is
//! then a numbered slot, `@N@`, and [`render`] fills the slots. Text cannot forge a
//! slot: a slot is found only right after ` href="` or ` src="`, and comrak writes
//! `"` in text and in attribute values as `&quot;`.

use std::sync::{Arc, Mutex};

use comrak::adapters::{HeadingAdapter, HeadingMeta};
use comrak::html::{ChildRendering, Context};
use comrak::nodes::{AstNode, NodeValue, Sourcepos};
use comrak::options::{Plugins, URLRewriter};
use comrak::{Anchorizer, Arena};

use crate::load::markdown::{BlockKind, Formatted, Markdown, Piece, options};

/// A piece of a rendered Markdown text.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// Sanitised HTML.
    Html(String),
    /// A fenced block, by the line of its fence in the file.
    Block(BlockKind, u32),
}

/// Rewrites a URL written in Markdown to its place in the bundle.
pub type Rewrite = Arc<dyn Fn(&str) -> String + Send + Sync + std::panic::RefUnwindSafe>;

/// The load stage's [`crate::load::markdown::Format`]: formats the parsed text
/// `root` with a slot for each URL. `None` (a slot that is not found once, in order,
/// which comrak does not do) leaves the text to be parsed again by [`render`].
pub fn format<'a>(
    arena: &'a Arena<'a>,
    root: &'a AstNode<'a>,
    line_offset: u32,
) -> Option<Formatted> {
    let urls = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&urls);
    let slot: Arc<dyn URLRewriter> = Arc::new(move |url: &str| {
        let Ok(mut urls) = recorded.lock() else {
            return String::new();
        };
        urls.push(url.to_owned());
        format!("@{}@", urls.len() - 1)
    });
    let pieces = split(arena, root, line_offset, &slot);
    drop(slot);
    let urls = Arc::into_inner(urls)?.into_inner().ok()?;
    let mut next = 0;
    for piece in &pieces {
        if let Piece::Html(html) = piece {
            for (_, n) in slots(html) {
                (n == next).then_some(())?;
                next += 1;
            }
        }
    }
    (next == urls.len()).then_some(Formatted { pieces, urls })
}

/// Renders `doc`, with each URL rewritten by `rewrite`: its slots filled when the
/// load stage formatted it, or else its body parsed and formatted now.
pub fn render(doc: &Markdown, rewrite: &Rewrite) -> Vec<Segment> {
    if let Some(formatted) = &doc.formatted {
        return fill(formatted, rewrite);
    }
    let arena = Arena::new();
    let root = comrak::parse_document(&arena, &doc.body, &options());
    let rewrite = Arc::clone(rewrite);
    let direct: Arc<dyn URLRewriter> = Arc::new(move |url: &str| rewrite(url));
    split(&arena, root, doc.line_offset, &direct)
        .into_iter()
        .map(|piece| match piece {
            Piece::Html(html) => Segment::Html(html),
            Piece::Block(kind, line) => Segment::Block(kind, line),
        })
        .collect()
}

/// Fills every slot of `formatted` with its URL rewritten, escaped as comrak escapes
/// a URL in an attribute.
fn fill(formatted: &Formatted, rewrite: &Rewrite) -> Vec<Segment> {
    formatted
        .pieces
        .iter()
        .map(|piece| match piece {
            Piece::Html(html) => {
                let mut out = String::with_capacity(html.len() + html.len() / 8);
                let mut last = 0;
                for (span, n) in slots(html) {
                    out.push_str(&html[last..span.start]);
                    let url = formatted
                        .urls
                        .get(n)
                        .map_or_else(String::new, |u| rewrite(u));
                    comrak::html::escape_href(&mut out, &url, false)
                        .expect("writing to a String cannot fail");
                    last = span.end;
                }
                out.push_str(&html[last..]);
                Segment::Html(out)
            }
            Piece::Block(kind, line) => Segment::Block(*kind, *line),
        })
        .collect()
}

/// The slots of `html` in order: where each `@N@` is, and `N`.
fn slots(html: &str) -> impl Iterator<Item = (std::ops::Range<usize>, usize)> + '_ {
    html.match_indices("=\"@").filter_map(move |(at, _)| {
        let before = &html[..at];
        if !(before.ends_with(" href") || before.ends_with(" src")) {
            return None;
        }
        let start = at + 2;
        let digits = html[start + 1..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let end = start + 1 + digits;
        if digits == 0 || html.as_bytes().get(end..end + 2) != Some(b"@\"") {
            return None;
        }
        let n = html[start + 1..end].parse().ok()?;
        Some((start..end + 1, n))
    })
}

/// Splits the document `root` into runs of HTML and the fenced blocks between them,
/// formatting each run with `urls` as comrak's link and image URL rewriter.
fn split<'a>(
    arena: &'a Arena<'a>,
    root: &'a AstNode<'a>,
    line_offset: u32,
    urls: &Arc<dyn URLRewriter>,
) -> Vec<Piece> {
    let mut opts = options();
    opts.extension.link_url_rewriter = Some(Arc::clone(urls));
    opts.extension.image_url_rewriter = Some(Arc::clone(urls));
    let children: Vec<&AstNode<'_>> = root.children().collect();
    let headings = Headings(Mutex::new(Anchorizer::new()));
    let mut plugins = Plugins::default();
    plugins.render.heading_adapter = Some(&headings);
    let mut pieces = Vec::new();
    let mut current: Option<&AstNode<'_>> = None;
    for child in children {
        let block = {
            let data = child.data.borrow();
            match &data.value {
                NodeValue::CodeBlock(code) if code.fenced => {
                    let kind = match code.info.split_whitespace().next() {
                        Some("video") => Some(BlockKind::Video),
                        Some("audio") => Some(BlockKind::Audio),
                        Some("form") => Some(BlockKind::Form),
                        _ => None,
                    };
                    kind.map(|k| (k, data.sourcepos.start.line as u32 + line_offset))
                }
                _ => None,
            }
        };
        match block {
            Some((kind, line)) => {
                if let Some(doc) = current.take() {
                    pieces.push(Piece::Html(html_of(doc, &opts, &plugins)));
                }
                pieces.push(Piece::Block(kind, line));
            }
            None => {
                let doc =
                    *current.get_or_insert_with(|| arena.alloc(AstNode::from(NodeValue::Document)));
                child.detach();
                doc.append(child);
            }
        }
    }
    if let Some(doc) = current {
        pieces.push(Piece::Html(html_of(doc, &opts, &plugins)));
    }
    pieces
}

fn html_of<'a>(doc: &'a AstNode<'a>, opts: &comrak::Options<'_>, plugins: &Plugins<'_>) -> String {
    let mut html = String::new();
    Html::format_document_with_plugins(doc, opts, &mut html, plugins)
        .expect("writing to a String cannot fail");
    html
}

comrak::create_formatter!(Html, {
    NodeValue::Table(_) => |context, node, entering| {
        return scrollable_table(context, node, entering);
    },
});

/// Wraps each table in a box that scrolls sideways on a narrow screen and can be
/// reached with the keyboard (WCAG 2.1.1 and 1.4.10: a scroll region must be
/// focusable, or keyboard users cannot see its hidden columns). Otherwise as
/// comrak writes a table (without source positions, which are off).
fn scrollable_table<'a>(
    context: &mut Context<'_, '_, ()>,
    node: &'a AstNode<'a>,
    entering: bool,
) -> Result<ChildRendering, std::fmt::Error> {
    use std::fmt::Write as _;
    if entering {
        context.cr()?;
        context.write_str("<div class=\"table-scroll\" tabindex=\"0\"><table>")?;
        context.lf()?;
    } else {
        let has_body = node
            .last_child()
            .zip(node.first_child())
            .is_some_and(|(last, first)| !last.same_node(first));
        if has_body {
            context.cr()?;
            context.write_str("</tbody>")?;
            context.lf()?;
        }
        context.cr()?;
        context.write_str("</table></div>")?;
        context.lf()?;
    }
    Ok(ChildRendering::HTML)
}

/// Headings with GitHub-style ids (the same slugs the link check uses), and no
/// extra anchor link inside.
struct Headings(Mutex<Anchorizer>);

impl HeadingAdapter for Headings {
    fn enter(
        &self,
        out: &mut dyn std::fmt::Write,
        heading: &HeadingMeta,
        _: Option<Sourcepos>,
    ) -> std::fmt::Result {
        let slug = self
            .0
            .lock()
            .map_or_else(|_| String::new(), |mut a| a.anchorize(&heading.content));
        write!(
            out,
            "<h{} id=\"{}\">",
            heading.level,
            slug.replace(['"', '<', '>', '&'], "")
        )
    }

    fn exit(&self, out: &mut dyn std::fmt::Write, heading: &HeadingMeta) -> std::fmt::Result {
        write!(out, "</h{}>", heading.level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain() -> Rewrite {
        Arc::new(|u: &str| u.to_owned())
    }

    /// A rewrite that changes every URL, with characters that must be escaped.
    fn odd() -> Rewrite {
        Arc::new(|u: &str| format!("{u}?from='x'&to=ö ä"))
    }

    /// `body` as the loader gives it: formatted (slots to fill) or not (parsed again).
    fn doc(body: &str, formatted: bool) -> Markdown {
        let arena = Arena::new();
        let root = comrak::parse_document(&arena, body, &options());
        Markdown {
            body: body.to_owned(),
            formatted: formatted.then(|| format(&arena, root, 0)).flatten(),
            ..Markdown::default()
        }
    }

    fn html(segments: Vec<Segment>) -> String {
        segments
            .into_iter()
            .map(|s| match s {
                Segment::Html(h) => h,
                Segment::Block(..) => String::new(),
            })
            .collect()
    }

    #[test]
    fn hostile_markdown_is_defused() {
        let md = "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n![a](data:text/html,<b>)\n";
        for formatted in [false, true] {
            let html = html(render(&doc(md, formatted), &plain()));
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("onerror"), "{html}");
            assert!(!html.contains("javascript:"), "{html}");
            assert!(!html.contains("data:text/html"), "{html}");
        }
    }

    #[test]
    fn splits_around_blocks() {
        let md = "Före\n\n```video\nsrc: a.mp4\n```\n\nEfter\n";
        for formatted in [false, true] {
            let mut d = doc(md, formatted);
            d.line_offset = 4;
            if let Some(f) = &mut d.formatted {
                // The loader formats with the offset it knows.
                let arena = Arena::new();
                *f = format(&arena, comrak::parse_document(&arena, md, &options()), 4).unwrap();
            }
            let segs = render(&d, &plain());
            assert_eq!(segs.len(), 3);
            assert_eq!(segs[1], Segment::Block(BlockKind::Video, 7));
        }
    }

    /// Filling the slots of a text formatted by the loader gives exactly what
    /// formatting it with the rewrite gives, also where text looks like a slot.
    #[test]
    fn filled_slots_equal_direct_rewriting() {
        let texts = [
            "Se [nästa](02-b.md) och [rubriken](#rubrik), ![bild](../media/a.png \"Titel\").\n",
            "[titel](a.md \"@0@\") och text href=\"@0@\" src=\"@1@\" ` href=\"@2@\"` \\\" href=\"@0@\"\n",
            "![alt med [länk](x.md) inuti](b.png) <https://example.se/a?b=c&d> www.example.se\n",
            "[ref]\n\n[ref]: ref.md \"href=@0@\"\n\n[farlig](javascript:alert(1)) ![data](data:text/html,x)\n",
            "| a | b |\n|---|---|\n| [c](c.md) | ![d](d.png) |\n\n> | e |\n> |---|\n> | [f](f.md) |\n",
            "# Rubrik\n\n# Rubrik\n\n```\n<a href=\"@0@\">\n```\n\n<div>rå</div>\n\n*[tom]()* [mellanslag](<a b.md>)\n",
            "Före\n\n```form\nref: f\n```\n\n[efter](e.md) och &quot; href=&quot;@0@&quot; &#34;@0@&#34;\n",
            "[@0@](@1@) [x](%40%30%40) ![@2@](@3@.png)\n",
        ];
        for text in texts {
            let formatted = doc(text, true);
            assert!(formatted.formatted.is_some(), "not formatted: {text:?}");
            for rewrite in [plain(), odd()] {
                assert_eq!(
                    render(&formatted, &rewrite),
                    render(&doc(text, false), &rewrite),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn tables_scroll_and_can_be_focused() {
        let html = html(render(&doc("| a |\n|---|\n| b |\n", true), &plain()));
        assert_eq!(
            html,
            "<div class=\"table-scroll\" tabindex=\"0\"><table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>b</td>\n</tr>\n</tbody>\n</table></div>\n"
        );
    }
}
