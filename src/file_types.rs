//! Content policy: the file types content may refer to and that are published.
//! `validate` reports a reference to any other type (`Code::FileType`); loading
//! leaves such files out of a moment's media.

/// File types content may refer to. Anything a browser could run as a page or script
/// (HTML, SVG, JavaScript, XML…) is left out, because bundles and previews serve
/// assets next to the pages.
pub const ALLOWED_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "mp4", "m4v", "webm", "ogv", "mp3", "m4a", "ogg",
    "oga", "opus", "wav", "vtt", "txt", "md", "pdf",
];

/// Whether content may refer to a file with this name.
pub fn allowed(path: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(_, ext)| ALLOWED_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}
