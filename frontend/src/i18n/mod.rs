//! Every sentence the UI shows, in English and Simplified Chinese.
//!
//! Components ask for text by [`Key`] (or through the typed helpers for statuses,
//! money, lengths and the like) and never spell out a string themselves, so a
//! translation cannot be forgotten in one corner of the UI: each entry holds both
//! languages side by side.
//!
//! - [`catalogue`]: the fixed sentences, by [`Key`].
//! - [`terms`]: the names of the API's values (statuses, stages, qualities, …).
//! - [`format`]: sentences with values in them (money, counts, dates, errors).

mod catalogue;
mod format;
mod terms;

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

pub use catalogue::{Key, t};
pub use format::*;
pub use terms::*;

/// Where the chosen language is remembered between visits.
const STORAGE_KEY: &str = "kiln.lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// The BCP 47 tag, for `<html lang>` and for formatting dates.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }

    fn from_tag(tag: &str) -> Option<Self> {
        let tag = tag.to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Lang::Zh)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

pub(crate) fn pick(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// The language in use, shared through context so that every string re-renders when
/// the header's toggle flips it.
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    /// The saved choice, else the browser's preference, else English.
    pub fn new() -> Self {
        let saved = LocalStorage::raw()
            .get_item(STORAGE_KEY)
            .ok()
            .flatten()
            .and_then(|tag| Lang::from_tag(&tag));
        let browser = || {
            web_sys::window()
                .and_then(|w| w.navigator().language())
                .and_then(|tag| Lang::from_tag(&tag))
        };
        let lang = saved.or_else(browser).unwrap_or_default();
        set_document_lang(lang);
        Self {
            lang: RwSignal::new(lang),
        }
    }

    /// Tracked: a closure that calls this re-runs when the language changes.
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    /// Untracked, for event handlers and tasks that only read it once.
    pub fn lang_untracked(&self) -> Lang {
        self.lang.get_untracked()
    }

    pub fn t(&self, key: Key) -> &'static str {
        t(self.lang(), key)
    }

    pub fn toggle(&self) {
        let next = self.lang.get_untracked().other();
        self.lang.set(next);
        // Losing the saved choice (private mode, full storage) only costs the default
        // on the next visit, so a failure here is not worth telling the user about.
        let _ = LocalStorage::raw().set_item(STORAGE_KEY, next.tag());
        set_document_lang(next);
    }
}

impl Default for I18n {
    fn default() -> Self {
        Self::new()
    }
}

/// Screen readers and the browser's font choice for CJK text follow `<html lang>`.
fn set_document_lang(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.tag());
    }
}

/// The language context provided by `App`.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_default()
}
