//! Themes are data: minijinja templates, CSS and UI strings. The default theme is
//! baked into the binary; any file of it can be replaced from `themes/default/` in the
//! repository, and an override can extend the baked-in template (`builtin/<name>`) to
//! replace single blocks.

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::diagnostic::{Code, Diagnostic, Pos, Severity};
use crate::load::yaml::{self, Offset};
use crate::load::{fsread, source};

/// The files of the default theme.
const DEFAULT: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/base.html")),
    (
        "index.html",
        include_str!("../../themes/default/index.html"),
    ),
    (
        "module.html",
        include_str!("../../themes/default/module.html"),
    ),
    (
        "staff.html",
        include_str!("../../themes/default/staff.html"),
    ),
    (
        "partials/form.html",
        include_str!("../../themes/default/partials/form.html"),
    ),
    (
        "partials/video.html",
        include_str!("../../themes/default/partials/video.html"),
    ),
    (
        "partials/audio.html",
        include_str!("../../themes/default/partials/audio.html"),
    ),
    ("style.css", include_str!("../../themes/default/style.css")),
    (
        "strings/sv.yaml",
        include_str!("../../themes/default/strings/sv.yaml"),
    ),
    (
        "strings/en.yaml",
        include_str!("../../themes/default/strings/en.yaml"),
    ),
];

/// A theme ready to render: templates compiled once, strings per language.
pub struct Theme {
    env: Environment<'static>,
    css: String,
    strings: BTreeMap<String, serde_json::Value>,
}

impl std::fmt::Debug for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theme").finish_non_exhaustive()
    }
}

impl Theme {
    /// Loads the default theme with the overrides found in `<root>/themes/default/`.
    pub fn load(root: &Path) -> Result<Theme, Vec<Diagnostic>> {
        let dir = root.join("themes/default");
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.add_filter("num", num);
        let mut errors = Vec::new();
        let mut css = String::new();
        let mut strings = BTreeMap::new();
        for (name, builtin) in DEFAULT {
            let rel = format!("themes/default/{name}");
            let text = match read_override(root, &rel, &mut errors) {
                Override::Text(text) => text,
                Override::Absent => (*builtin).to_owned(),
                Override::Refused => continue,
            };
            if name.ends_with(".html") {
                if let Err(e) =
                    env.add_template_owned(format!("builtin/{name}"), (*builtin).to_owned())
                {
                    errors.push(template_error(&format!("builtin/{name}"), &e));
                }
                if let Err(e) = env.add_template_owned((*name).to_owned(), text) {
                    errors.push(template_error(&rel, &e));
                }
            } else if *name == "style.css" {
                css = text;
            } else if let Some(lang) = name
                .strip_prefix("strings/")
                .and_then(|n| n.strip_suffix(".yaml"))
            {
                match yaml::parse(&text, Offset::NONE) {
                    Ok(Some(node)) => {
                        strings.insert(lang.to_owned(), node.to_json());
                    }
                    Ok(None) => {}
                    Err(d) => errors.push(d.in_file(rel)),
                }
            }
        }
        // More languages: any strings/<lang>.yaml in the override folder.
        if let Ok(entries) = std::fs::read_dir(dir.join("strings")) {
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                .collect();
            names.sort();
            for name in names {
                let Some(lang) = name.strip_suffix(".yaml") else {
                    continue;
                };
                if strings.contains_key(lang)
                    && DEFAULT.iter().any(|(n, _)| *n == format!("strings/{name}"))
                {
                    continue;
                }
                let rel = format!("themes/default/strings/{name}");
                let Override::Text(text) = read_override(root, &rel, &mut errors) else {
                    continue;
                };
                match yaml::parse(&text, Offset::NONE) {
                    Ok(Some(node)) => {
                        // Keys the override leaves out fall back to the Swedish strings.
                        let mut merged = strings.get("sv").cloned().unwrap_or_default();
                        if let (Some(base), serde_json::Value::Object(own)) =
                            (merged.as_object_mut(), node.to_json())
                        {
                            base.extend(own);
                        }
                        strings.insert(lang.to_owned(), merged);
                    }
                    Ok(None) => {}
                    Err(d) => errors.push(d.in_file(rel)),
                }
            }
        }
        if errors.is_empty() {
            Ok(Theme { env, css, strings })
        } else {
            Err(errors)
        }
    }

    /// The stylesheet.
    pub fn css(&self) -> &str {
        &self.css
    }

    /// UI strings for `language` (`sv-SE` uses `sv`); Swedish when there are none.
    pub fn strings(&self, language: &str) -> &serde_json::Value {
        let primary = language.split('-').next().unwrap_or(language);
        self.strings
            .get(primary)
            .or_else(|| self.strings.get("sv"))
            .unwrap_or(&serde_json::Value::Null)
    }

    /// Renders template `name` with `context`.
    pub fn render(&self, name: &str, context: minijinja::Value) -> Result<String, Diagnostic> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(&format!("themes/default/{name}"), &e))?;
        template
            .render(context)
            .map_err(|e| template_error(&format!("themes/default/{name}"), &e))
    }
}

/// A theme file of the repository, as read.
enum Override {
    /// The file's text.
    Text(String),
    /// There is no such file: the built-in one applies.
    Absent,
    /// The file is there but was refused (reported).
    Refused,
}

/// Reads `rel` (such as `themes/default/style.css`) through the safe reader: a
/// symbolic link, a special file or an oversized file is an error, never followed.
fn read_override(root: &Path, rel: &str, errors: &mut Vec<Diagnostic>) -> Override {
    match fsread::read(root, rel, fsread::MAX_TEXT_BYTES) {
        Ok(bytes) => {
            // A byte order mark is only a warning; the theme fails on errors alone.
            let mut found = Vec::new();
            let text = source::decode(bytes, rel, &mut found);
            errors.extend(found.into_iter().filter(|d| d.severity == Severity::Error));
            text.map_or(Override::Refused, Override::Text)
        }
        Err(fsread::Refusal::Missing) => Override::Absent,
        Err(refusal) => {
            errors.push(source::refusal_diagnostic(&refusal, rel));
            Override::Refused
        }
    }
}

/// Formats a value for people: `2` rather than `2.0`, `true` rather than `True`.
fn num(value: minijinja::Value) -> String {
    if value.kind() == minijinja::value::ValueKind::Bool {
        return value.is_true().to_string();
    }
    match f64::try_from(value.clone()) {
        Ok(v) if value.kind() == minijinja::value::ValueKind::Number => crate::scoring::fmt_num(v),
        _ => value.to_string(),
    }
}

fn template_error(file: &str, e: &minijinja::Error) -> Diagnostic {
    let file = e.name().map_or(file.to_owned(), |n| {
        n.strip_prefix("builtin/").map_or_else(
            || format!("themes/default/{n}"),
            |b| format!("(built-in theme) {b}"),
        )
    });
    Diagnostic::new(
        Code::ThemeTemplate,
        crate::diagnostic::msg::Tests::Theme {
            detail: e.detail().unwrap_or(&e.to_string()).to_owned(),
        },
    )
    .in_file(file)
    .at_pos(Pos::new(e.line().unwrap_or(1) as u32, 1))
    .with_hint(crate::diagnostic::msg::Tests::ThemeHint)
}
