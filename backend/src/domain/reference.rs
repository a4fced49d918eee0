//! Reference assets: what may be uploaded, and how Kiln tells what a file really is.

use super::task::MediaKind;

use super::stored_enum;
use super::{ErrorCode, FieldError};

stored_enum! {
    /// Whether Kiln may use what a reference helped produce.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum LicenceStatus {
        Licensed,
        Owned,
        Pending,
        Unknown,
        Restricted,
    }
}

/// A file type Kiln accepts as a reference, recognised from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sniffed {
    pub kind: MediaKind,
    pub mime: &'static str,
    pub extension: &'static str,
}

const ACCEPTED: &[Sniffed] = &[
    Sniffed {
        kind: MediaKind::Image,
        mime: "image/png",
        extension: "png",
    },
    Sniffed {
        kind: MediaKind::Image,
        mime: "image/jpeg",
        extension: "jpg",
    },
    Sniffed {
        kind: MediaKind::Image,
        mime: "image/webp",
        extension: "webp",
    },
    Sniffed {
        kind: MediaKind::Image,
        mime: "image/gif",
        extension: "gif",
    },
    Sniffed {
        kind: MediaKind::Video,
        mime: "video/mp4",
        extension: "mp4",
    },
    Sniffed {
        kind: MediaKind::Video,
        mime: "video/webm",
        extension: "webm",
    },
    Sniffed {
        kind: MediaKind::Video,
        mime: "video/quicktime",
        extension: "mov",
    },
];

/// What `bytes` are, judged by their content (never by the name or the claimed type,
/// which the uploader controls).
pub(crate) fn sniff(bytes: &[u8]) -> Result<Sniffed, FieldError> {
    let found = infer::get(bytes).map(|t| t.mime_type());
    ACCEPTED
        .iter()
        .find(|s| Some(s.mime) == found)
        .copied()
        .ok_or_else(|| {
            FieldError::new(
                "file",
                ErrorCode::Unsupported,
                format!(
                    "Upload a PNG, JPEG, WebP or GIF image, or an MP4, WebM or MOV video{}.",
                    found
                        .map(|m| format!(" (this file is {m})"))
                        .unwrap_or_default()
                ),
            )
        })
}

/// A file name safe to show and to put in a `Content-Disposition` header.
pub(crate) fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    if cleaned.trim().is_empty() {
        "reference".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_is_recognised_by_its_bytes() {
        let png = [
            0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
        ];
        assert_eq!(sniff(&png).unwrap().mime, "image/png");
    }

    #[test]
    fn a_script_named_like_an_image_is_refused() {
        let err = sniff(b"#!/bin/sh\necho pwned\n").unwrap_err();
        assert_eq!(err.code, ErrorCode::Unsupported);
        let pdf = sniff(b"%PDF-1.7\n").unwrap_err();
        assert!(pdf.message.contains("application/pdf"), "{}", pdf.message);
    }

    #[test]
    fn file_names_lose_their_paths_and_quotes() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_filename("C:\\Users\\a\\logo \"v2\".png"),
            "logo v2.png"
        );
        assert_eq!(clean_filename(""), "reference");
    }
}
