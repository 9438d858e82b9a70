//! Page names as they appear in links: percent-encoded, so that a module file named
//! with `%`, `#`, `?`, spaces or non-ASCII letters links to itself and nothing else.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What stays as written: letters, digits and `/ . - _`. The same set as the theme's
/// `urlencode` filter, so that links from Markdown and from templates agree.
const KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'.')
    .remove(b'-')
    .remove(b'_');

/// A relative URL for a page or file name (`01 sömn%.html` → `01%20s%C3%B6mn%25.html`).
pub fn href(name: &str) -> String {
    utf8_percent_encode(name, KEEP).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_what_a_browser_would_misread() {
        assert_eq!(href("01-om-somn.html"), "01-om-somn.html");
        assert_eq!(href("a%41.html"), "a%2541.html");
        assert_eq!(href("a#b?c.html"), "a%23b%3Fc.html");
        assert_eq!(href("två ord.html"), "tv%C3%A5%20ord.html");
    }
}
