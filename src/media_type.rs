//! MIME types of the media files content may refer to.

/// The MIME type of a media extension (lowercase, without the dot), for
/// `<source type>` and for serving.
pub fn mime(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "mp4" | "m4v" => "video/mp4",
        "webm" => "video/webm",
        "ogv" => "video/ogg",
        "mp3" => "audio/mpeg",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "m4a" => "audio/mp4",
        "wav" => "audio/wav",
        _ => return None,
    })
}

/// The MIME type of a file by its name, when it is a known media type.
pub fn mime_of_path(path: &str) -> Option<&'static str> {
    path.rsplit_once('.')
        .and_then(|(_, e)| mime(&e.to_ascii_lowercase()))
}
