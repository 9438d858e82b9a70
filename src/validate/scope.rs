//! What a check of some moments (not the whole repository) shows: warnings about the
//! repository's own files, such as W008 on `units.yaml`, are left to the check of the
//! whole repository, because the designer checking one moment cannot fix them there.

use crate::diagnostic::{Diagnostic, Severity};

/// The diagnostics to show when only the moments `only` (folder names) were asked
/// for, and how many repository-level warnings were left out. With `only` empty
/// (the whole repository) everything is shown. Errors are always shown, and so is
/// everything under `--strict` (warnings have become errors by then).
pub fn narrow(diagnostics: Vec<Diagnostic>, only: &[String]) -> (Vec<Diagnostic>, usize) {
    if only.is_empty() {
        return (diagnostics, 0);
    }
    let in_asked = |file: &str| {
        only.iter().any(|id| {
            file.strip_prefix("moments/")
                .and_then(|rest| rest.strip_prefix(id.as_str()))
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    };
    let (shown, left): (Vec<Diagnostic>, Vec<Diagnostic>) = diagnostics
        .into_iter()
        .partition(|d| d.severity != Severity::Warning || in_asked(&d.file));
    (shown, left.len())
}

/// The note that says what [`narrow`] left out, or `None` when nothing was.
pub fn note(left_out: usize) -> Option<String> {
    let (what, verb, it) = match left_out {
        0 => return None,
        1 => ("1 repository-level warning".to_owned(), "is", "it"),
        n => (format!("{n} repository-level warnings"), "are", "them"),
    };
    Some(format!(
        "note: {what} (on units.yaml or other files outside the moment) {verb} not shown when checking single moments; run `moment check` at the repository root, or add --strict, to see {it}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

    fn at(code: Code, file: &str) -> Diagnostic {
        Diagnostic::new(code, "m").in_file(file)
    }

    #[test]
    fn only_warnings_outside_the_asked_moments_are_left_out() {
        let all = vec![
            at(Code::FewPublishers, "units.yaml"),
            at(Code::FewPublishers, "moments/somn/moment.yaml"),
            at(Code::FewPublishers, "moments/somn-2/moment.yaml"),
            at(Code::UnitsMissing, "units.yaml"),
        ];
        let (shown, left) = narrow(all.clone(), &["somn".to_owned()]);
        let files: Vec<&str> = shown.iter().map(|d| d.file.as_str()).collect();
        assert_eq!(files, ["moments/somn/moment.yaml", "units.yaml"]);
        assert_eq!(shown[1].code, Code::UnitsMissing);
        assert_eq!(left, 2);
        assert_eq!(narrow(all, &[]).1, 0);
        assert_eq!(note(0), None);
        assert!(
            note(2)
                .unwrap()
                .starts_with("note: 2 repository-level warnings")
        );
    }
}
