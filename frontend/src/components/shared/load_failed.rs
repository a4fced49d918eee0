//! The banner a panel shows in place of what could not be loaded, with a Retry button.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::{Key, use_i18n};

#[component]
pub fn LoadFailed(
    /// What could not be loaded, e.g. `Key::LoadTasksFailed`; without it only the error
    /// is said.
    #[prop(optional)]
    what: Option<Key>,
    error: ApiError,
    #[prop(into)] on_retry: Callback<()>,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="banner" role="alert" data-testid=testid>
            <span>
                {move || what.map(|what| format!("{} ", i18n.t(what)))}
                {move || error.message(i18n.lang())}
            </span>
            <button type="button" class="button small" on:click=move |_| on_retry.run(())>
                {move || i18n.t(Key::Retry)}
            </button>
        </div>
    }
}
