//! Attachments ("before" and "after" evidence): what a file is, judged by its content and never
//! by its name; the size and type policy (configuration); and what a case may reference: an
//! uploaded attachment (`att_` + 32 hex digits) or a file already on the web (http(s) URL).

use serde::{Deserialize, Serialize};

/// The major brands of the MP4 family that phones and cameras write.
const MP4_BRANDS: [&[u8; 4]; 8] = [b"isom", b"iso2", b"iso4", b"iso5", b"mp41", b"mp42", b"avc1", b"M4V "];

/// The kinds of file accepted, recognised by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Jpeg,
    Png,
    Webp,
    Pdf,
    Mp4,
}

impl FileKind {
    pub const ALL: [FileKind; 5] = [FileKind::Jpeg, FileKind::Png, FileKind::Webp, FileKind::Pdf, FileKind::Mp4];

    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Webp => "image/webp",
            FileKind::Pdf => "application/pdf",
            FileKind::Mp4 => "video/mp4",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
            FileKind::Webp => "webp",
            FileKind::Pdf => "pdf",
            FileKind::Mp4 => "mp4",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(self, FileKind::Jpeg | FileKind::Png | FileKind::Webp)
    }

    pub fn parse(media_type: &str) -> Option<FileKind> {
        Self::ALL.into_iter().find(|k| k.media_type() == media_type)
    }

    /// What the content is, from its signature.
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        let at = |offset: usize, sig: &[u8]| bytes.get(offset..offset + sig.len()) == Some(sig);
        if at(0, &[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if at(0, b"\x89PNG\r\n\x1a\n") {
            Some(FileKind::Png)
        } else if at(0, b"RIFF") && at(8, b"WEBP") {
            Some(FileKind::Webp)
        } else if at(0, b"%PDF-") {
            Some(FileKind::Pdf)
        } else if at(4, b"ftyp") && MP4_BRANDS.iter().any(|b| at(8, &b[..])) {
            // Only MP4 brands: HEIC, AVIF and QuickTime share the box but are other formats.
            Some(FileKind::Mp4)
        } else {
            None
        }
    }
}

/// The limits on uploads (`[files]` in the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilePolicy {
    /// The largest file accepted, in bytes.
    pub max_bytes: u64,
    /// The kinds accepted.
    pub kinds: Vec<FileKind>,
    /// The longest side of a thumbnail, in pixels.
    pub thumbnail_px: u32,
    /// The most pixels an image may have (a decompression bomb is refused before decoding).
    pub max_pixels: u64,
}

impl Default for FilePolicy {
    fn default() -> Self {
        FilePolicy {
            max_bytes: 10 * 1024 * 1024,
            kinds: FileKind::ALL.to_vec(),
            thumbnail_px: 320,
            max_pixels: 50_000_000,
        }
    }
}

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileProblem {
    #[error("the file is empty")]
    Empty,
    #[error("the file has {size} bytes; at most {max} are accepted")]
    TooLarge { size: u64, max: u64 },
    #[error("the content is not a JPEG, PNG, WebP, PDF or MP4 file (whatever its name says)")]
    Unknown,
    #[error("{0} files are not accepted here")]
    NotAccepted(&'static str),
}

impl FilePolicy {
    /// What the file is, if the policy accepts it.
    pub fn inspect(&self, bytes: &[u8]) -> Result<FileKind, FileProblem> {
        let size = bytes.len() as u64;
        if size == 0 {
            return Err(FileProblem::Empty);
        }
        if size > self.max_bytes {
            return Err(FileProblem::TooLarge { size, max: self.max_bytes });
        }
        let kind = FileKind::sniff(bytes).ok_or(FileProblem::Unknown)?;
        if !self.kinds.contains(&kind) {
            return Err(FileProblem::NotAccepted(kind.media_type()));
        }
        Ok(kind)
    }
}

/// Whether a string is an uploaded attachment's id: `att_` and 32 lower-case hex digits.
pub fn is_attachment_id(s: &str) -> bool {
    s.strip_prefix("att_")
        .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// What a case may reference as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference<'a> {
    /// An uploaded attachment.
    Uploaded(&'a str),
    /// A file already on the web.
    Url(&'a str),
}

/// Classifies a reference; anything else is refused with the reason.
pub fn reference(s: &str) -> Result<Reference<'_>, String> {
    if is_attachment_id(s) {
        Ok(Reference::Uploaded(s))
    } else if (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() <= 2000
        && !s.contains(char::is_whitespace)
    {
        Ok(Reference::Url(s))
    } else {
        Err(format!("`{s}` is neither an uploaded attachment (att_…) nor an http(s) URL"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_decides_not_the_name() {
        assert_eq!(FileKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(FileKind::Jpeg));
        assert_eq!(FileKind::sniff(b"\x89PNG\r\n\x1a\n...."), Some(FileKind::Png));
        assert_eq!(FileKind::sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(FileKind::Webp));
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
        assert_eq!(FileKind::sniff(b"\0\0\0\x18ftypmp42"), Some(FileKind::Mp4));
        assert_eq!(FileKind::sniff(b"\0\0\0\x18ftypheic"), None, "an iPhone photo is not a video");
        assert_eq!(FileKind::sniff(b"MZ\x90\0 an exe called photo.jpg"), None);
        assert_eq!(FileKind::sniff(b"<svg onload=alert(1)>"), None);
    }

    #[test]
    fn the_policy_limits_size_and_kind() {
        let p = FilePolicy { max_bytes: 10, kinds: vec![FileKind::Jpeg], ..FilePolicy::default() };
        assert_eq!(p.inspect(&[]), Err(FileProblem::Empty));
        assert_eq!(p.inspect(&[0xFF; 11]), Err(FileProblem::TooLarge { size: 11, max: 10 }));
        assert_eq!(p.inspect(b"%PDF-1.7\n"), Err(FileProblem::NotAccepted("application/pdf")));
        assert_eq!(p.inspect(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok(FileKind::Jpeg));
        assert_eq!(p.inspect(b"hello"), Err(FileProblem::Unknown));
    }

    #[test]
    fn references_are_uploads_or_urls() {
        let id = format!("att_{}", "0a".repeat(16));
        assert_eq!(reference(&id), Ok(Reference::Uploaded(&id)));
        assert_eq!(reference("https://example.org/a.jpg"), Ok(Reference::Url("https://example.org/a.jpg")));
        assert!(reference("photo://evidence-1.jpg").is_err());
        assert!(reference("att_XYZ").is_err());
        assert!(reference("https://example.org/a b.jpg").is_err());
    }
}
