//! Download links of a task, as the task page offers them.

/// A task's signed download links, all expiring together.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Downloads {
    /// The ZIP of every stored output; `None` while none is stored.
    pub zip_url: Option<String>,
    /// When the links stop working (RFC 3339); `None` without outputs.
    pub expires_at: Option<String>,
    /// Each stored output's attachment link, by output id.
    pub files: Vec<(String, String)>,
}

impl Downloads {
    /// The attachment link of output `id`, if it is stored.
    pub fn file(&self, id: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(output, _)| output == id)
            .map(|(_, url)| url.as_str())
    }

    /// Whether the links have stopped working at `now_ms` (milliseconds since the epoch).
    pub fn expired_at(&self, now_ms: f64) -> bool {
        self.expires_at
            .as_deref()
            .and_then(super::timestamp_ms)
            .is_some_and(|expires| expires <= now_ms)
    }
}
