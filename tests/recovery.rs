//! Recovery instead of cascade: independent breaks in one moment are each reported,
//! and combining them reports exactly the union of what each gives alone.
//!
//! A clean moment is broken in one place at a time (each break edits one line of one
//! file without changing line counts, so positions stay comparable), then in every
//! pair of places, then in all at once. For breaks that do not depend on each other
//! (see "What depends on what" in book/src/check.md) the diagnostics of a
//! combination must be the union of the diagnostics of its parts: adding a break never
//! removes a diagnostic, and never adds one that only follows from another.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{check_json, diag_lines, write};

/// The clean moment: every file a break touches.
fn base(root: &Path) {
    write(
        root,
        "units.yaml",
        "units:\n  - id: region-test\n    name: Region Test\n    kind: production\n    publishers:\n      - name: Anna Andersson\n        key: \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKbQkJcTs2UM3fIxlL6HP2Tq/OVt8jvLw9EZfFTrq6UJ anna@example.se\"\n      - name: Bo Berg\n        key: \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICHCiy0apn6hyCoSEpSr6HVoQZ+XOhmtIJIH2pe4uZL8 bo@example.se\"\n",
    );
    write(
        root,
        "moments/angest/moment.yaml",
        "id: angest\nversion: \"1.0.0\"\ntitle: Ångest\ndescription: Om oro\nunit: region-test\nkind: treatment\nlanguage: sv\naccess: assigned\nopen_to: []\ncare_providers: [SE2321000131-E000000000001]\nowners: [anna@example.se, bo@example.se]\nrisk_analysis: docs/riskanalys.md\nmodules:\n  - modules/01-om-oro.md\n  - modules/02-dagbok.md\n  - modules/03-mer.md\n  - modules/04-slut.md\n",
    );
    write(
        root,
        "moments/angest/docs/riskanalys.md",
        "# Riskanalys\n\nInga kända risker.\n",
    );
    write(
        root,
        "moments/angest/welcome.md",
        "Välkommen. Läs [om oro](modules/01-om-oro.md) först.\n",
    );
    write(
        root,
        "moments/angest/modules/01-om-oro.md",
        "---\ntitle: Om oro\nactivation: immediate\n---\n## Vad är oro?\n\n![Lugn strand](../media/lugn.png)\n\nLäs sedan [mer om oro](03-mer.md).\n\n```form\nref: gad7\n```\n",
    );
    write(
        root,
        "moments/angest/modules/02-dagbok.md",
        "---\ntitle: Dagbok\n---\nFyll i dagboken.\n\n```form\nref: veckodagbok\n```\n",
    );
    write(
        root,
        "moments/angest/modules/03-mer.md",
        "---\ntitle: Mer om oro\n---\nOro är vanligt.\n",
    );
    write(
        root,
        "moments/angest/modules/04-slut.md",
        "---\ntitle: Slut\n---\nTack för att du var med.\n",
    );
    write(root, "moments/angest/media/lugn.png", "png");
    write(
        root,
        "moments/angest/forms/gad7.yaml",
        "id: gad7\ntitle: GAD-7\nkind: questionnaire\nitems:\n  - id: q1\n    type: choice\n    text: Känt dig nervös?\n    options:\n      - {value: 0, label: Inte alls}\n      - {value: 1, label: Flera dagar}\n  - id: q2\n    type: choice\n    text: Inte kunnat sluta oroa dig?\n    options:\n      - {value: 0, label: Inte alls}\n      - {value: 1, label: Flera dagar}\n",
    );
    write(
        root,
        "moments/angest/forms/veckodagbok.yaml",
        "id: veckodagbok\ntitle: Veckodagbok\nkind: registration\nitems:\n  - id: somn\n    type: number\n    text: Hur många timmar sov du?\n",
    );
}

/// One break: in `file` (under moments/angest unless it is units.yaml), replace the
/// text `from` by the bytes `to`.
struct Break {
    name: &'static str,
    file: &'static str,
    from: &'static str,
    to: &'static [u8],
}

const BREAKS: &[Break] = &[
    Break {
        name: "duplicate key in moment.yaml",
        file: "moments/angest/moment.yaml",
        from: "description: Om oro",
        to: b"kind: treatment",
    },
    Break {
        name: "region codes as numbers",
        file: "moments/angest/moment.yaml",
        from: "open_to: []",
        to: b"open_to: [01, 0180]",
    },
    Break {
        name: "malformed HSA-id",
        file: "moments/angest/moment.yaml",
        from: "[SE2321000131-E000000000001]",
        to: b"[2321000131-E000000000002]",
    },
    Break {
        name: "listed module missing",
        file: "moments/angest/moment.yaml",
        from: "modules/04-slut.md",
        to: b"modules/04-saknas.md",
    },
    Break {
        name: "activation misspelled",
        file: "moments/angest/modules/01-om-oro.md",
        from: "activation: immediate",
        to: b"activation: Staff",
    },
    Break {
        name: "image missing",
        file: "moments/angest/modules/01-om-oro.md",
        from: "../media/lugn.png",
        to: b"../media/lugnt.png",
    },
    Break {
        name: "form reference misspelled",
        file: "moments/angest/modules/02-dagbok.md",
        from: "ref: veckodagbok",
        to: b"ref: veckodagbk",
    },
    Break {
        name: "module not UTF-8",
        file: "moments/angest/modules/03-mer.md",
        from: "Oro är vanligt.",
        to: b"Oro \xe4r vanligt.",
    },
    Break {
        name: "anchor and alias in a form",
        file: "moments/angest/forms/gad7.yaml",
        from: "    options:\n      - {value: 0, label: Inte alls}\n      - {value: 1, label: Flera dagar}\n  - id: q2",
        to: b"    options: &opts\n      - {value: 0, label: Inte alls}\n      - {value: 1, label: Flera dagar}\n  - id: q2",
    },
    Break {
        name: "syntax error in a form",
        file: "moments/angest/forms/veckodagbok.yaml",
        from: "title: Veckodagbok",
        to: b"title: \"Veckodagbok",
    },
    Break {
        name: "vague link in the welcome text",
        file: "moments/angest/welcome.md",
        from: "[om oro]",
        to: b"[h\xc3\xa4r]",
    },
    Break {
        name: "a level-1 heading in a module",
        file: "moments/angest/modules/01-om-oro.md",
        from: "## Vad är oro?",
        to: "# Vad är oro?".as_bytes(),
    },
    Break {
        name: "a promise of messages without messaging",
        file: "moments/angest/modules/02-dagbok.md",
        from: "Fyll i dagboken.",
        to: "Läs meddelandet.".as_bytes(),
    },
    Break {
        name: "one publisher",
        file: "units.yaml",
        from: "      - name: Bo Berg\n        key: \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICHCiy0apn6hyCoSEpSr6HVoQZ+XOhmtIJIH2pe4uZL8 bo@example.se\"\n",
        to: b"",
    },
];

/// Applies the breaks `which` to a fresh copy of the base and returns the
/// diagnostics as sorted `CODE file:line:column` lines.
fn run(which: &[usize]) -> Vec<String> {
    let tmp = tempfile::tempdir().expect("temporary directory");
    base(tmp.path());
    let mut by_file: BTreeMap<&str, Vec<&Break>> = BTreeMap::new();
    for &i in which {
        by_file.entry(BREAKS[i].file).or_default().push(&BREAKS[i]);
    }
    for (file, breaks) in by_file {
        let path = tmp.path().join(file);
        let mut bytes = std::fs::read(&path).expect("read a base file");
        for b in breaks {
            let at = find(&bytes, b.from.as_bytes())
                .unwrap_or_else(|| panic!("break `{}`: `{}` not in {file}", b.name, b.from));
            bytes.splice(at..at + b.from.len(), b.to.iter().copied());
        }
        std::fs::write(&path, bytes).expect("write a broken file");
    }
    let (_, report) = check_json(tmp.path(), &[]);
    diag_lines(&report)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn union(a: &[String], b: &[String]) -> Vec<String> {
    let mut all: Vec<String> = a.iter().chain(b).cloned().collect();
    all.sort();
    all
}

#[test]
fn the_base_is_clean() {
    assert_eq!(run(&[]), Vec::<String>::new());
}

#[test]
fn each_break_is_reported_and_combinations_report_the_union() {
    let singles: Vec<Vec<String>> = (0..BREAKS.len()).map(|i| run(&[i])).collect();
    for (i, found) in singles.iter().enumerate() {
        assert!(
            !found.is_empty(),
            "break `{}` is not reported at all",
            BREAKS[i].name
        );
    }
    for i in 0..BREAKS.len() {
        for j in i + 1..BREAKS.len() {
            let both = run(&[i, j]);
            assert_eq!(
                both,
                union(&singles[i], &singles[j]),
                "`{}` + `{}`: the diagnostics are not the union of each alone",
                BREAKS[i].name,
                BREAKS[j].name
            );
        }
    }
    let all: Vec<usize> = (0..BREAKS.len()).collect();
    let expected = singles.iter().fold(Vec::new(), |acc, s| union(&acc, s));
    assert_eq!(run(&all), expected, "every break at once");
}

#[test]
fn the_user_trial_cascade_is_gone() {
    // Duplicate `kind:` with module-level breaks: every one is still reported, and no
    // form is called unused (user trials §1.2).
    let found = run(&[0, 3, 4, 5, 6]);
    let codes: Vec<&str> = found.iter().map(|l| &l[..4]).collect();
    assert_eq!(
        codes,
        ["E003", "E013", "E026", "E028", "E029"],
        "{found:#?}"
    );
}
