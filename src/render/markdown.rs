//! Markdown to sanitised HTML, split around the fenced media and form blocks.
//!
//! Raw HTML is never rendered and comrak drops `javascript:`-style URLs; local
//! links and images are rewritten to the bundle's pages and content-addressed assets.

use std::sync::{Arc, Mutex};

use comrak::adapters::{HeadingAdapter, HeadingMeta};
use comrak::nodes::{AstNode, NodeValue, Sourcepos};
use comrak::options::Plugins;
use comrak::{Anchorizer, Arena};

use crate::load::markdown::{BlockKind, options};

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

/// Renders `body` (whose first line is line `line_offset + 1` of its file).
pub fn render(body: &str, line_offset: u32, rewrite: &Rewrite) -> Vec<Segment> {
    let mut opts = options();
    let link = Arc::clone(rewrite);
    let image = Arc::clone(rewrite);
    opts.extension.link_url_rewriter = Some(Arc::new(move |url: &str| link(url)));
    opts.extension.image_url_rewriter = Some(Arc::new(move |url: &str| image(url)));
    let arena = Arena::new();
    let root = comrak::parse_document(&arena, body, &opts);
    let children: Vec<&AstNode<'_>> = root.children().collect();
    let headings = Headings(Mutex::new(Anchorizer::new()));
    let mut plugins = Plugins::default();
    plugins.render.heading_adapter = Some(&headings);
    let mut segments = Vec::new();
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
                    segments.push(Segment::Html(format(doc, &opts, &plugins)));
                }
                segments.push(Segment::Block(kind, line));
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
        segments.push(Segment::Html(format(doc, &opts, &plugins)));
    }
    segments
}

fn format<'a>(doc: &'a AstNode<'a>, opts: &comrak::Options<'_>, plugins: &Plugins<'_>) -> String {
    let mut html = String::new();
    comrak::format_html_with_plugins(doc, opts, &mut html, plugins)
        .expect("writing to a String cannot fail");
    scrollable_tables(&html)
}

/// Wraps each table in a box that scrolls sideways on a narrow screen and can be
/// reached with the keyboard (WCAG 2.1.1 and 1.4.10: a scroll region must be
/// focusable, or keyboard users cannot see its hidden columns).
fn scrollable_tables(html: &str) -> String {
    if !html.contains("<table>") {
        return html.to_owned();
    }
    html.replace(
        "<table>",
        "<div class=\"table-scroll\" tabindex=\"0\"><table>",
    )
    .replace("</table>", "</table></div>")
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

    #[test]
    fn hostile_markdown_is_defused() {
        let md = "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n![a](data:text/html,<b>)\n";
        let html: String = render(md, 0, &plain())
            .into_iter()
            .map(|s| match s {
                Segment::Html(h) => h,
                Segment::Block(..) => String::new(),
            })
            .collect();
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("data:text/html"), "{html}");
    }

    #[test]
    fn splits_around_blocks() {
        let md = "Före\n\n```video\nsrc: a.mp4\n```\n\nEfter\n";
        let segs = render(md, 4, &plain());
        assert_eq!(segs.len(), 3);
        assert_eq!(segs[1], Segment::Block(BlockKind::Video, 7));
    }
}
