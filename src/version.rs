//! Semantic versions: the one parser (as `moment check` accepts them), their order
//! (as semver orders them) and the bump from one to another. Versions stay text in
//! the model and the catalog, so what is written never changes; they are parsed here
//! where they are compared.

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

/// A version bump.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing changed.
    None,
    /// PATCH: cosmetic changes (no bump is needed for them).
    Patch,
    /// MINOR: content changes.
    Minor,
    /// MAJOR: clinical changes.
    Major,
}

impl Bump {
    /// `none`, `patch`, `minor` or `major`, as in JSON reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// A semantic version `MAJOR.MINOR.PATCH[-PRE][+BUILD]`. Equality and order follow
/// semver precedence: build metadata is ignored.
#[derive(Clone, Debug)]
pub struct Version {
    /// MAJOR.
    pub major: u64,
    /// MINOR.
    pub minor: u64,
    /// PATCH.
    pub patch: u64,
    /// The pre-release identifiers (`rc.1` is `["rc", "1"]`), empty for a release.
    pub pre: Vec<String>,
    /// Build metadata, as written after `+`.
    pub build: Option<String>,
}

impl Version {
    /// Parses a semantic version strictly: three numbers without leading zeros,
    /// optional pre-release and build identifiers of letters, digits and `-`.
    pub fn parse(v: &str) -> Option<Version> {
        let (core, build) = v.split_once('+').map_or((v, None), |(c, b)| (c, Some(b)));
        let (core, pre) = core
            .split_once('-')
            .map_or((core, None), |(c, p)| (c, Some(p)));
        let number = |n: &str| -> Option<u64> {
            let ok = !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && (n == "0" || !n.starts_with('0'));
            ok.then(|| n.parse().ok()).flatten()
        };
        let idents_ok = |s: &str| {
            !s.is_empty()
                && s.split('.').all(|p| {
                    !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                })
        };
        let mut numbers = core.split('.');
        let (major, minor, patch) = (
            number(numbers.next()?)?,
            number(numbers.next()?)?,
            number(numbers.next()?)?,
        );
        if numbers.next().is_some() || !pre.is_none_or(idents_ok) || !build.is_none_or(idents_ok) {
            return None;
        }
        Some(Version {
            major,
            minor,
            patch,
            pre: pre
                .map(|p| p.split('.').map(str::to_owned).collect())
                .unwrap_or_default(),
            build: build.map(str::to_owned),
        })
    }

    /// The bump from `self` to `to`, comparing MAJOR.MINOR.PATCH only; `None` when
    /// the version went down.
    pub fn bump_to(&self, to: &Version) -> Option<Bump> {
        let (a, b) = (self.core(), to.core());
        if b < a {
            return None;
        }
        Some(if b.0 > a.0 {
            Bump::Major
        } else if b.1 > a.1 {
            Bump::Minor
        } else if b.2 > a.2 {
            Bump::Patch
        } else {
            Bump::None
        })
    }

    /// The lowest release that makes a `bump` from `self` (`x+1.0.0` for major,
    /// `x.y+1.0` for minor); `None` for the bumps that need no new version.
    pub fn lowest_after(&self, bump: Bump) -> Option<Version> {
        let (major, minor) = match bump {
            Bump::Major => (self.major + 1, 0),
            Bump::Minor => (self.major, self.minor + 1),
            Bump::Patch | Bump::None => return None,
        };
        Some(Version {
            major,
            minor,
            patch: 0,
            pre: Vec::new(),
            build: None,
        })
    }

    fn core(&self) -> (u64, u64, u64) {
        (self.major, self.minor, self.patch)
    }
}

impl Ord for Version {
    /// Numbers numerically, a pre-release before its release, pre-release parts
    /// numbers before words, then the longer list of parts last.
    fn cmp(&self, other: &Self) -> Ordering {
        self.core().cmp(&other.core()).then_with(|| {
            match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (p, q) in self.pre.iter().zip(&other.pre) {
                        let order = match (p.parse::<u64>(), q.parse::<u64>()) {
                            (Ok(m), Ok(n)) => m.cmp(&n),
                            (Ok(_), Err(_)) => Ordering::Less,
                            (Err(_), Ok(_)) => Ordering::Greater,
                            (Err(_), Err(_)) => p.cmp(q),
                        };
                        if order != Ordering::Equal {
                            return order;
                        }
                    }
                    self.pre.len().cmp(&other.pre.len())
                }
            }
        })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre.join("."))?;
        }
        if let Some(build) = &self.build {
            write!(f, "+{build}")?;
        }
        Ok(())
    }
}

/// Orders two version texts as semver does; a text that is not a version orders
/// before every version (and such texts among themselves as text).
pub fn compare(a: &str, b: &str) -> Ordering {
    match (Version::parse(a), Version::parse(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|| panic!("{s} parses"))
    }

    #[test]
    fn parses_strictly() {
        assert!(Version::parse("1.2.0").is_some());
        assert!(Version::parse("1.0.0-rc.1+build.5").is_some());
        for bad in [
            "1.2",
            "01.2.3",
            "v1.2.3",
            "1.2.3.4",
            "1.2.3-",
            "1.2.3+",
            "1.2.3-a..b",
            "",
        ] {
            assert!(Version::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(v("1.0.0-rc.1+build.5").to_string(), "1.0.0-rc.1+build.5");
    }

    #[test]
    fn orders_as_semver() {
        let order = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.2.0",
            "1.10.0",
            "2.0.0",
        ];
        for pair in order.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.0.0+a"), v("1.0.0+b"));
        assert_eq!(compare("1.0.0", "not"), Ordering::Greater);
    }

    #[test]
    fn classifies_bumps() {
        assert_eq!(v("1.0.0").bump_to(&v("1.0.0")), Some(Bump::None));
        assert_eq!(v("1.0.0").bump_to(&v("1.0.1")), Some(Bump::Patch));
        assert_eq!(v("1.0.0").bump_to(&v("1.1.0-rc.1")), Some(Bump::Minor));
        assert_eq!(v("1.9.9").bump_to(&v("2.0.0")), Some(Bump::Major));
        assert_eq!(v("1.0.0").bump_to(&v("0.9.0")), None);
        assert_eq!(
            v("1.4.2").lowest_after(Bump::Major).map(|x| x.to_string()),
            Some("2.0.0".into())
        );
        assert_eq!(
            v("1.4.2").lowest_after(Bump::Minor).map(|x| x.to_string()),
            Some("1.5.0".into())
        );
        assert!(v("1.4.2").lowest_after(Bump::Patch).is_none());
    }
}
