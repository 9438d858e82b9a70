//! Consistency lints across files: what a citizen sees must fit how the moment is set
//! up (page titles, activation, open access, messaging, alerts).

use crate::diagnostic::msg::Rules;
use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::load::LoadedMoment;
use crate::load::markdown::Markdown;
use crate::load::yaml::{Node, Value};
use crate::model::Activation;

/// Runs every consistency lint of one moment.
pub(super) fn check(moment: &LoadedMoment, out: &mut Vec<Diagnostic>) {
    for doc in moment
        .welcome
        .iter()
        .chain(moment.modules.iter().map(|m| &m.doc))
    {
        second_title(doc, out);
    }
    for form in &moment.forms {
        alerts_without_message(&form.node, &form.rel, out);
    }
    let Some(meta) = moment.meta_node.as_ref().filter(|n| is_map(n)) else {
        return;
    };
    activation_and_access(moment, meta, out);
    messaging_mentioned(moment, meta, out);
}

fn is_map(node: &Node) -> bool {
    matches!(node.value, Value::Map(_))
}

/// W022: the theme renders the module's title (the moment's title on the welcome
/// page) as the page's level-1 heading, so a `# ` heading in the text is a second one.
fn second_title(doc: &Markdown, out: &mut Vec<Diagnostic>) {
    for h in doc.headings.iter().filter(|h| h.level == 1) {
        out.push(
            Diagnostic::new(
                Code::SecondTitle,
                Rules::SecondTitle {
                    text: h.text.clone(),
                },
            )
            .in_file(&doc.rel)
            .at_pos(h.pos)
            .with_hint(Rules::SecondTitleHint),
        );
    }
}

/// W025: an alert whose message has no words tells staff nothing.
fn alerts_without_message(node: &Node, rel: &str, out: &mut Vec<Diagnostic>) {
    let Some(Value::Seq(alerts)) = node.get("alerts").map(|n| &n.value) else {
        return;
    };
    for alert in alerts {
        let id = match alert.get("id").map(|n| &n.value) {
            Some(Value::Str(id)) => id.as_str(),
            _ => "",
        };
        let Some(message) = alert.get("message") else {
            continue; // E010
        };
        let Value::Str(text) = &message.value else {
            continue; // E012
        };
        if text.is_empty() {
            continue; // the schema reports an empty message
        }
        if !has_words(text) || is_placeholder(text, id) {
            out.push(
                Diagnostic::new(
                    Code::AlertNoMessage,
                    Rules::AlertNoMessage { id: id.to_string() },
                )
                .in_file(rel)
                .at_pos(message.pos)
                .with_hint(Rules::AlertNoMessageHint),
            );
        }
    }
}

fn has_words(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

fn is_placeholder(text: &str, id: &str) -> bool {
    let t = text.trim().to_lowercase();
    t == id.to_lowercase()
        || [
            "todo",
            "tbd",
            "fixme",
            "xxx",
            "text",
            "message",
            "meddelande",
        ]
        .contains(&t.as_str())
}

/// The modules' activation, when every listed module was loaded with valid front matter.
fn activations(moment: &LoadedMoment, meta: &Node) -> Option<Vec<(Activation, String, Pos)>> {
    let Some(Value::Seq(listed)) = meta.get("modules").map(|n| &n.value) else {
        return None;
    };
    let mut paths: Vec<&str> = listed
        .iter()
        .filter_map(|n| match &n.value {
            Value::Str(s) => Some(s.trim_start_matches("./")),
            _ => None,
        })
        .collect();
    paths.sort_unstable();
    paths.dedup();
    // A listed module that is missing or unreadable has an unknown activation.
    if paths.len() != moment.modules.len() {
        return None;
    }
    moment
        .modules
        .iter()
        .map(|m| {
            let front = m.front.as_ref()?;
            let pos = m
                .front_node
                .as_ref()
                .and_then(|n| n.get("activation"))
                .map_or(Pos::new(2, 1), |n| n.pos);
            Some((front.activation, m.doc.rel.clone(), pos))
        })
        .collect()
}

/// W023 (assigned moments) and E068 (open moments).
fn activation_and_access(moment: &LoadedMoment, meta: &Node, out: &mut Vec<Diagnostic>) {
    let rel = moment.meta_rel();
    let open = match meta.get("access").map(|n| &n.value) {
        Some(Value::Str(a)) if a == "open" => Some(true),
        Some(Value::Str(a)) if a == "assigned" => Some(false),
        None => Some(false),
        _ => None, // E013
    };
    let Some(open) = open else {
        return;
    };
    let Some(modules) = activations(moment, meta) else {
        return;
    };
    if open {
        for (activation, file, pos) in &modules {
            if *activation == Activation::Staff {
                out.push(
                    Diagnostic::new(Code::OpenNeedsStaff, Rules::OpenStaffModule)
                        .in_file(file)
                        .at_pos(*pos)
                        .with_hint(Rules::OpenStaffModuleHint),
                );
            }
        }
        if let Some(m) = meta.get("messaging")
            && m.value == Value::Bool(true)
        {
            out.push(
                Diagnostic::new(Code::OpenNeedsStaff, Rules::OpenMessaging)
                    .in_file(&rel)
                    .at_pos(m.pos)
                    .with_hint(Rules::OpenMessagingHint),
            );
        }
        return;
    }
    if !modules.is_empty() && modules.iter().all(|(a, _, _)| *a == Activation::Staff) {
        let pos = meta.entry("modules").map_or(meta.pos, |(k, _)| k.pos);
        out.push(
            Diagnostic::new(Code::AllModulesStaff, Rules::AllModulesStaff)
                .in_file(&rel)
                .at_pos(pos)
                .with_hint(Rules::AllModulesStaffHint),
        );
    }
}

/// W026: the welcome text or a module tells the citizen about messages while the
/// moment has no messaging.
fn messaging_mentioned(moment: &LoadedMoment, meta: &Node, out: &mut Vec<Diagnostic>) {
    let off = matches!(
        meta.get("messaging").map(|n| &n.value),
        None | Some(Value::Bool(false))
    );
    if !off {
        return;
    }
    for doc in moment
        .welcome
        .iter()
        .chain(moment.modules.iter().map(|m| &m.doc))
    {
        if let Some((pos, word)) = first_mention(doc) {
            out.push(
                Diagnostic::new(
                    Code::MessagingMentioned,
                    Rules::MessagingMentioned {
                        word: word.to_string(),
                    },
                )
                .in_file(&doc.rel)
                .at_pos(pos)
                .with_hint(Rules::MessagingMentionedHint),
            );
        }
    }
}

/// Whether `word` (lower case) is a form of Swedish "meddelande" (a message: also
/// meddelanden, meddelandet, meddelandena and compounds such as meddelandefunktionen)
/// or English "message" (messages, messaging). The verb "meddela" (to inform) and
/// words that only end in these ("felmeddelande", an error message) do not count.
pub fn mentions_messages(word: &str) -> bool {
    word.starts_with("meddelande") || word.starts_with("messag")
}

/// The first word in `doc`'s prose that mentions messages, with its position.
/// Fenced blocks are skipped.
fn first_mention(doc: &Markdown) -> Option<(Pos, String)> {
    let mut fence: Option<&str> = None;
    for (i, line) in doc.body.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") {
            fence = Some("```");
            continue;
        }
        if trimmed.starts_with("~~~") {
            fence = Some("~~~");
            continue;
        }
        let mut column = 0u32;
        let mut word = String::new();
        let mut start = 0u32;
        for c in line.chars().chain(std::iter::once(' ')) {
            column += 1;
            if c.is_alphanumeric() {
                if word.is_empty() {
                    start = column;
                }
                word.push(c);
                continue;
            }
            if !word.is_empty() {
                let lower = word.to_lowercase();
                if mentions_messages(&lower) {
                    let line_no = doc.line_offset + i as u32 + 1;
                    return Some((Pos::new(line_no, start), word));
                }
                word.clear();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_words() {
        for w in [
            "meddelande",
            "meddelanden",
            "meddelandet",
            "meddelandena",
            "meddelandefunktionen",
            "message",
            "messages",
            "messaging",
        ] {
            assert!(mentions_messages(w), "{w}");
        }
        for w in ["meddela", "meddelar", "felmeddelande", "massage", "med"] {
            assert!(!mentions_messages(w), "{w}");
        }
    }

    #[test]
    fn mention_position_skips_fences_and_respects_word_boundaries() {
        let doc = Markdown {
            rel: "w.md".into(),
            body: "Inga felmeddelanden här.\n```form\nref: meddelanden\n```\nSkicka **meddelanden** till oss.\n".into(),
            line_offset: 3,
            ..Markdown::default()
        };
        let (pos, word) = first_mention(&doc).unwrap();
        assert_eq!(word, "meddelanden");
        assert_eq!(pos, Pos::new(8, 10));
    }
}
