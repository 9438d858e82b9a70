//! The language diagnostics are written in, and how a run chooses it.

use std::fmt;
use std::str::FromStr;

/// A language every diagnostic message and hint is written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English: the default, and what CI logs and JSON `message` fields use.
    #[default]
    En,
    /// Swedish.
    Sv,
}

impl Lang {
    /// The BCP 47 tag, `en` or `sv`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sv => "sv",
        }
    }

    /// The language a locale or tag names, such as `sv_SE.UTF-8`, `sv-SE` or `en`;
    /// `None` for any other language.
    pub fn from_locale(locale: &str) -> Option<Lang> {
        let lower = locale.trim().to_ascii_lowercase();
        let primary = lower.split(['_', '-', '.', '@']).next().unwrap_or_default();
        match primary {
            "sv" => Some(Lang::Sv),
            "en" | "c" | "posix" => Some(Lang::En),
            _ => None,
        }
    }

    /// Chooses the language of a run. In order: the `--lang` flag, `MOMENT_LANG`,
    /// the repository's `language:` in `units.yaml`, then the locale (`LC_ALL`,
    /// `LC_MESSAGES`, `LANG`, the first that is set and not empty), and English
    /// when none of them names Swedish or English.
    pub fn choose(flag: Option<Lang>, repository: Option<Lang>) -> Lang {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].into_iter().find_map(var);
        Lang::resolve(
            flag,
            var("MOMENT_LANG").as_deref(),
            repository,
            locale.as_deref(),
        )
    }

    /// [`Lang::choose`] on given values, without reading the environment.
    pub fn resolve(
        flag: Option<Lang>,
        moment_lang: Option<&str>,
        repository: Option<Lang>,
        locale: Option<&str>,
    ) -> Lang {
        flag.or_else(|| moment_lang.and_then(Lang::from_locale))
            .or(repository)
            .or_else(|| locale.and_then(Lang::from_locale))
            .unwrap_or_default()
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "sv" => Ok(Lang::Sv),
            other => Err(format!(
                "`{other}` is not a language of moment's diagnostics: use `sv` or `en`"
            )),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_of_choice() {
        use Lang::*;
        assert_eq!(Lang::resolve(None, None, None, None), En);
        assert_eq!(Lang::resolve(None, None, None, Some("sv_SE.UTF-8")), Sv);
        assert_eq!(Lang::resolve(None, None, None, Some("de_DE.UTF-8")), En);
        assert_eq!(Lang::resolve(None, None, Some(En), Some("sv_SE.UTF-8")), En);
        assert_eq!(Lang::resolve(None, Some("sv"), Some(En), None), Sv);
        assert_eq!(Lang::resolve(None, Some("fr"), Some(Sv), None), Sv);
        assert_eq!(
            Lang::resolve(Some(En), Some("sv"), Some(Sv), Some("sv")),
            En
        );
    }
}
