//! The files a task produced, each with what Kiln knows about it: format, size,
//! dimensions or length, checksum, and whether Kiln holds its own copy yet (with the
//! last download error when it does not). Downloads carry names a person can file
//! (campaign, brief, stage, position); all of them come as one ZIP; the signed links
//! say when they expire and are renewed on demand.

use leptos::prelude::*;

use crate::api::operations::downloads::fetch_downloads;
use crate::i18n::{self, Key, use_i18n};
use crate::model::{DownloadStatus, Downloads, Output};

/// How often the page checks whether its links have expired.
const EXPIRY_CHECK_MS: u64 = 15_000;

#[component]
pub fn Outputs(
    /// The task whose download links to fetch.
    task_id: String,
    #[prop(into)] outputs: Signal<Vec<Output>>,
    /// For the pictures' alternative text.
    #[prop(into)]
    prompt: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let task_id = StoredValue::new(task_id);
    // The links are read when the set of stored outputs changes (the task finishing
    // live, say), and again when the user renews them.
    let stored = Memo::new(move |_| {
        outputs.with(|all| {
            all.iter()
                .filter(|o| o.url.is_some())
                .map(|o| o.id.clone())
                .collect::<Vec<_>>()
        })
    });
    let links = LocalResource::new(move || {
        let any = !stored.with(Vec::is_empty);
        let id = task_id.get_value();
        async move {
            if any {
                fetch_downloads(id).await
            } else {
                Ok(None)
            }
        }
    });
    let renew = Action::new_local(move |_: &()| fetch_downloads(task_id.get_value()));
    let downloads = RwSignal::new(Downloads::default());
    let renew_failed = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(Some(fresh))) = links.get() {
            downloads.set(fresh);
        }
    });
    Effect::new(move |_| match renew.value().get() {
        Some(Ok(Some(fresh))) => {
            renew_failed.set(false);
            downloads.set(fresh);
        }
        Some(_) => renew_failed.set(true),
        None => {}
    });
    let downloads: Signal<Downloads> = downloads.into();
    view! {
        <Show when=move || downloads.with(|d| d.zip_url.is_some())>
            <DownloadBar
                downloads=downloads
                renewing=renew.pending()
                renew_failed=renew_failed
                on_renew=move || {
                    renew.dispatch(());
                }
            />
        </Show>
        <div class="outputs">
            <For
                each=move || outputs.get()
                // Re-render an output when Kiln's copy of it changes.
                key=|o| (o.id.clone(), o.download_status, o.url.is_some())
                children=move |o| view! { <OutputFigure output=o prompt=prompt downloads=downloads /> }
            />
            <Show when=move || outputs.with(Vec::is_empty)>
                <p class="hint">{move || i18n.t(Key::NoOutputsYet)}</p>
            </Show>
        </div>
    }
}

/// "Download all", and until when the links work, with a button for fresh ones.
#[component]
fn DownloadBar(
    downloads: Signal<Downloads>,
    #[prop(into)] renewing: Signal<bool>,
    #[prop(into)] renew_failed: Signal<bool>,
    on_renew: impl Fn() + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    // The clock the expiry is compared with, moved on now and then.
    let now = RwSignal::new(js_sys::Date::now());
    if let Ok(handle) = set_interval_with_handle(
        move || now.set(js_sys::Date::now()),
        std::time::Duration::from_millis(EXPIRY_CHECK_MS),
    ) {
        on_cleanup(move || handle.clear());
    }
    let expired = move || downloads.with(|d| d.expired_at(now.get()));
    let expiry = move || {
        let lang = i18n.lang();
        downloads.with(|d| {
            d.expires_at
                .as_deref()
                .map(|at| i18n::datetime(lang, at))
                .unwrap_or_default()
        })
    };
    view! {
        <div class="download-bar" data-testid="download-bar" data-expired=move || expired().to_string()>
            <a
                class="button small"
                href=move || downloads.with(|d| d.zip_url.clone().unwrap_or_default())
                download=""
                data-testid="download-zip"
            >
                {move || i18n.t(Key::DownloadAll)}
            </a>
            <span class="link-expiry" data-testid="links-expiry">
                {move || {
                    if expired() {
                        i18n.t(Key::LinksExpired).to_owned()
                    } else {
                        format!("{} {}", i18n.t(Key::LinksValidUntil), expiry())
                    }
                }}
            </span>
            <button
                type="button"
                class="button small ghost"
                data-testid="renew-links"
                disabled=move || renewing.get()
                on:click=move |_| on_renew()
            >
                {move || i18n.t(if renewing.get() { Key::RenewingLinks } else { Key::RenewLinks })}
            </button>
            <Show when=move || renew_failed.get()>
                <span class="download-error" role="alert">{move || i18n.t(Key::RenewLinksFailed)}</span>
            </Show>
        </div>
    }
}

#[component]
fn OutputFigure(
    output: Output,
    #[prop(into)] prompt: Signal<String>,
    downloads: Signal<Downloads>,
) -> impl IntoView {
    let i18n = use_i18n();
    // The full file where there is one: the page has room, and a GIF plays.
    let src = output.url.clone().or_else(|| output.thumbnail_url.clone());
    let status = output.download_status;
    let status_class = status
        .map(|s| s.as_str().to_ascii_lowercase())
        .unwrap_or_default();
    let facts = {
        let o = output.clone();
        move || i18n::output_facts(i18n.lang(), &o)
    };
    let position = output.position;
    let alt = move || i18n::output_alt(i18n.lang(), &prompt.get(), position);
    let url = output.url.clone();
    let id = output.id.clone();
    // The attachment link, named for filing; the plain link until it has loaded.
    let download_href = {
        let fallback = url.clone().unwrap_or_default();
        move || {
            downloads.with(|d| {
                d.file(&id)
                    .map(str::to_owned)
                    .unwrap_or_else(|| fallback.clone())
            })
        }
    };
    let error = output.last_download_error.clone();
    let attempts = output.download_attempts;
    let checksum = output.checksum_sha256.clone();
    view! {
        <figure
            class="output"
            data-testid="task-output"
            data-download-status=status.map(|s| s.as_str()).unwrap_or_default()
        >
            <div class="output-media">
                {match src {
                    Some(src) => {
                        let href = src.clone();
                        view! {
                            <a href=href target="_blank" rel="noopener">
                                <img
                                    src=src
                                    alt=alt
                                    width=output.width.map(|w| w.to_string())
                                    height=output.height.map(|h| h.to_string())
                                />
                            </a>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <div class="output-missing">{move || i18n.t(Key::NotStoredYet)}</div>
                        }
                            .into_any()
                    }
                }}
            </div>
            <figcaption>
                <div class="output-head">
                    <span class="output-facts">{facts}</span>
                    <span class=format!("download download-{status_class}") data-testid="download-status">
                        {move || {
                            status
                                .map(|s| i18n::download_status(i18n.lang(), s))
                                .unwrap_or_default()
                        }}
                    </span>
                </div>
                {(attempts > 0 || error.is_some())
                    .then(|| {
                        view! {
                            <p class="download-error" data-testid="download-error">
                                {move || i18n::download_attempts(i18n.lang(), attempts)}
                                {error.clone().map(|e| view! { ": " <span>{e}</span> })}
                            </p>
                        }
                    })}
                <div class="output-foot">
                    {checksum
                        .map(|sum| {
                            view! {
                                <code class="checksum" title=sum.clone()>
                                    "sha256 " {sum.chars().take(12).collect::<String>()} "…"
                                </code>
                            }
                        })}
                    {url
                        .filter(|_| status == Some(DownloadStatus::Stored))
                        .map(|url| {
                            view! {
                                <div class="output-links">
                                    <a
                                        class="button small"
                                        href=url.clone()
                                        target="_blank"
                                        rel="noopener"
                                        data-testid="output-open"
                                    >
                                        {move || i18n.t(Key::OpenFile)}
                                    </a>
                                    <a
                                        class="button small ghost"
                                        href=download_href
                                        download=""
                                        data-testid="output-download"
                                    >
                                        {move || i18n.t(Key::Download)}
                                    </a>
                                </div>
                            }
                        })}
                </div>
            </figcaption>
        </figure>
    }
}
