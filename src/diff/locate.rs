//! The line of a change's locator (`forms/x.yaml#items/q3/text`,
//! `modules/01.md#paragraph/4`) in a file, for annotations on a pull request.

use comrak::nodes::NodeValue;

use crate::load::markdown::{options, split_front_matter};
use crate::load::yaml::{self, Node, Offset, Value};

/// The line of `inner` (the part after `#`) in `text`, a YAML or Markdown file.
pub fn line(text: &str, is_markdown: bool, inner: &str) -> Option<u32> {
    if !is_markdown {
        let root = yaml::parse(text, Offset::NONE).ok()??;
        return yaml_line(&root, inner);
    }
    let (front, body, offset) = split_front_matter(text).ok()?;
    if let Some(n) = inner.strip_prefix("paragraph/") {
        let n: usize = n.parse().ok()?;
        return paragraph_line(body, n).map(|l| l + offset);
    }
    let root = yaml::parse(front, Offset::lines(1)).ok()??;
    yaml_line(&root, inner).or(Some(2))
}

fn yaml_line(root: &Node, inner: &str) -> Option<u32> {
    let mut node = root;
    let mut line = root.pos.line;
    for seg in inner.split('/').filter(|s| !s.is_empty()) {
        let next = match &node.value {
            Value::Map(_) => node.entry(seg).map(|(k, v)| {
                line = k.pos.line;
                v
            }),
            Value::Seq(items) => seg
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i))
                .or_else(|| {
                    items.iter().find(|i| {
                        matches!(i.get("id").map(|n| &n.value), Some(Value::Str(s)) if s == seg)
                    })
                })
                .inspect(|n| line = n.pos.line),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    Some(line)
}

/// The line (in the body) of the `n`th paragraph, counted as the loader counts them.
fn paragraph_line(body: &str, n: usize) -> Option<u32> {
    let arena = comrak::Arena::new();
    let root = comrak::parse_document(&arena, body, &options());
    root.descendants()
        .filter(|d| {
            matches!(
                d.data.borrow().value,
                NodeValue::Paragraph | NodeValue::TableCell | NodeValue::Heading(_)
            )
        })
        .nth(n.checked_sub(1)?)
        .map(|d| d.data.borrow().sourcepos.start.line as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_locators() {
        let text = "id: f\nitems:\n  - id: a\n    text: A\n  - id: b\n    text: B\nscores:\n  - id: t\n    bands:\n      - {min: 0, max: 1, label: L}\n      - min: 2\n        max: 3\n        label: H\n";
        assert_eq!(line(text, false, "items/b/text"), Some(6));
        assert_eq!(line(text, false, "scores/t/bands/1/max"), Some(12));
    }

    #[test]
    fn markdown_locators() {
        let text = "---\ntitle: T\nactivation: staff\n---\nEtt.\n\nTvå\nrader.\n";
        assert_eq!(line(text, true, "activation"), Some(3));
        assert_eq!(line(text, true, "paragraph/2"), Some(7));
    }
}
