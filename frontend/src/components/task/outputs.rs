//! The files a task produced, each with what Kiln knows about it: format, size,
//! dimensions or length, checksum, and whether Kiln holds its own copy yet (with the
//! last download error when it does not).

use leptos::prelude::*;

use crate::i18n::{self, Key, use_i18n};
use crate::model::{DownloadStatus, Output};

#[component]
pub fn Outputs(
    #[prop(into)] outputs: Signal<Vec<Output>>,
    /// For the pictures' alternative text.
    #[prop(into)]
    prompt: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="outputs">
            <For
                each=move || outputs.get()
                // Re-render an output when Kiln's copy of it changes.
                key=|o| (o.id.clone(), o.download_status, o.url.is_some())
                children=move |o| view! { <OutputFigure output=o prompt=prompt /> }
            />
            <Show when=move || outputs.with(Vec::is_empty)>
                <p class="hint">{move || i18n.t(Key::NoOutputsYet)}</p>
            </Show>
        </div>
    }
}

#[component]
fn OutputFigure(output: Output, #[prop(into)] prompt: Signal<String>) -> impl IntoView {
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
                                        href=url
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
