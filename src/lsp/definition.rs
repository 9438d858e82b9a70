//! Go to definition: from a `ref:` to the form, from an item, score or alert id to
//! where it is defined, from a path in `moment.yaml` or a Markdown link to the file.

use lsp_types::{GotoDefinitionParams, GotoDefinitionResponse, Location, Range};

use super::facts::{self, FormFacts};
use super::position::word_at;
use super::view::View;
use super::workspace::{FileKind, form_stem, moment_of};
use crate::diagnostic::Pos;

fn at_start(view: &View<'_>, rel: &str) -> Option<Location> {
    let _ = std::fs::symlink_metadata(view.workspace.root.join(rel)).ok()?;
    Some(Location::new(view.uri(rel)?, Range::default()))
}

fn at_pos(view: &View<'_>, rel: &str, pos: Pos) -> Option<Location> {
    let text = view.text(rel)?;
    let start = text.index.from_pos(&text.text, pos);
    let offset = text.index.offset(&text.text, start);
    let (_, end) = word_at(
        &text.text,
        offset + usize::from(text.text[offset..].starts_with(['"', '\''])),
    );
    Some(Location::new(
        view.uri(rel)?,
        Range::new(start, text.index.position(&text.text, end)),
    ))
}

/// Joins a path written in `from` (repository-relative) to a repository-relative path,
/// inside the moment; `None` when it would leave the moment.
pub fn resolve(from: &str, written: &str) -> Option<String> {
    let moment = moment_of(from)?;
    let written = written.split(['#', '?']).next()?;
    if written.is_empty() || written.contains("://") || written.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in written.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    joined
        .starts_with(&format!("moments/{moment}/"))
        .then_some(joined)
}

/// Answers `textDocument/definition`.
pub fn definition(
    view: &View<'_>,
    params: &GotoDefinitionParams,
) -> Option<GotoDefinitionResponse> {
    let at = &params.text_document_position_params;
    let text = view.text_of(&at.text_document.uri)?;
    let rel = text.rel.clone();
    let moment = moment_of(&rel)?.to_owned();
    let dir = format!("moments/{moment}");
    let lines = text.lines();
    let (line, column) = text.line_col(at.position);
    let current = lines.get(line).copied().unwrap_or("");
    let (ws, we) = word_at(current, column);
    let word = &current[ws..we];
    let found = match text.kind() {
        FileKind::Markdown => {
            if let Some((_, _, id)) = facts::form_refs(&lines)
                .into_iter()
                .find(|(l, _, _)| *l == line)
            {
                at_start(view, &format!("{dir}/forms/{id}.yaml"))
            } else {
                link_target(current, column)
                    .and_then(|target| at_start(view, &resolve(&rel, &target)?))
            }
        }
        FileKind::MomentYaml => {
            let value = current.trim_start().trim_start_matches("- ");
            let value = value
                .split_once(": ")
                .map_or(value, |(_, v)| v)
                .trim()
                .trim_matches(['"', '\'']);
            if value.is_empty() || !(value.contains('/') || value.ends_with(".md")) {
                None
            } else {
                at_start(view, &format!("{dir}/{value}"))
            }
        }
        FileKind::Form => {
            let node = facts::parse(&text.text)?;
            let facts = FormFacts::of(&node);
            find_id(view, &rel, &facts, word)
        }
        FileKind::FormTests => {
            let stem = form_stem(&rel)?;
            let form_rel = format!("{dir}/forms/{stem}.yaml");
            let node = facts::parse(&view.text(&form_rel)?.text)?;
            let facts = FormFacts::of(&node);
            find_id(view, &form_rel, &facts, word).or_else(|| at_start(view, &form_rel))
        }
        FileKind::Units | FileKind::Other => None,
    };
    found.map(GotoDefinitionResponse::Scalar)
}

fn find_id(view: &View<'_>, form_rel: &str, facts: &FormFacts, word: &str) -> Option<Location> {
    if word.is_empty() {
        return None;
    }
    let pos = facts
        .items
        .iter()
        .chain(facts.scores.iter().map(|(s, _)| s))
        .chain(facts.alerts.iter())
        .find(|n| n.id == word)?
        .pos;
    at_pos(view, form_rel, pos)
}

/// The target of a Markdown link or image `](target)` around byte column `column`.
fn link_target(line: &str, column: usize) -> Option<String> {
    let mut search = 0;
    while let Some(found) = line[search..].find("](") {
        let start = search + found + 2;
        let end = line[start..].find(')').map_or(line.len(), |e| start + e);
        if (search + found..=end).contains(&column) {
            let target = line[start..end]
                .split_whitespace()
                .next()?
                .trim_matches(['<', '>']);
            return Some(target.to_owned());
        }
        search = end.min(line.len());
        if search >= line.len() {
            break;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_inside_the_moment_only() {
        assert_eq!(
            resolve("moments/s/modules/01.md", "../media/a.png").as_deref(),
            Some("moments/s/media/a.png")
        );
        assert_eq!(resolve("moments/s/modules/01.md", "../../x"), None);
        assert_eq!(
            link_target("see ![bild](../media/a.png \"t\") ok", 12).as_deref(),
            Some("../media/a.png")
        );
    }
}
