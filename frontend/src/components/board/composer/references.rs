//! Reference images and videos: dropped or chosen files are uploaded at once (as
//! GraphQL multipart requests), a link can be given for Kiln to fetch, earlier
//! uploads can be picked from the team's library, and what is attached decides the
//! input type (text-, image- or video-to-X).

use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;

use super::Form;
use crate::api::ApiError;
use crate::api::operations::catalogue as api;
use crate::components::shared::on_result;
use crate::i18n::{self, Key, use_i18n};
use crate::model::{Catalogue, Kind, MediaKind, ReferenceAsset, UserError};

/// Why one file was not attached.
#[derive(Clone, Debug, PartialEq)]
struct UploadFailure {
    filename: String,
    /// The server's sentence (in English), or the request's failure.
    message: Result<String, ApiError>,
}

#[component]
pub(super) fn References(form: Form, catalogue: Catalogue) -> impl IntoView {
    let i18n = use_i18n();
    let uploading = RwSignal::new(0usize);
    let failures = RwSignal::new(Vec::<UploadFailure>::new());
    let library = RwSignal::new(None::<Result<Vec<ReferenceAsset>, ApiError>>);
    let load_library = Action::new_local(|()| api::fetch_references());
    on_result(load_library, move |result| library.set(Some(result)));
    let library_open = RwSignal::new(false);
    let dragging = RwSignal::new(false);

    let limit = Memo::new(move |_| {
        form.model(&catalogue)
            .map(|m| m.max_references.max(0) as usize)
            .unwrap_or(0)
    });
    let full = move || form.references.with(Vec::len) >= limit.get();
    // An image task cannot start from a video.
    let fits = move |r: &ReferenceAsset| {
        form.kind.get() == Kind::Video || r.kind != Some(MediaKind::Video)
    };

    let attach = move |asset: ReferenceAsset| {
        form.references.update(|refs| {
            if !refs.iter().any(|r| r.id == asset.id) && refs.len() < limit.get_untracked() {
                refs.push(asset);
            }
        });
    };
    let detach = move |id: String| form.references.update(|refs| refs.retain(|r| r.id != id));

    // What came back for one file (named `filename`, or the link it came from).
    let received =
        move |filename: String,
              result: Result<Result<ReferenceAsset, Vec<UserError>>, ApiError>| {
            uploading.update(|n| *n = n.saturating_sub(1));
            let failure = |message| UploadFailure {
                filename: filename.clone(),
                message,
            };
            match result {
                Ok(Ok(asset)) => {
                    // Keep the library in step without asking the server again.
                    library.update(|l| {
                        if let Some(Ok(list)) = l
                            && !list.iter().any(|r| r.id == asset.id)
                        {
                            list.insert(0, asset.clone());
                        }
                    });
                    if untrack(|| fits(&asset)) {
                        attach(asset);
                    } else {
                        failures.update(|f| {
                            f.push(failure(Ok(i18n::t(
                                i18n.lang_untracked(),
                                Key::VideoNeedsVideoTask,
                            )
                            .to_owned())))
                        });
                    }
                }
                Ok(Err(errors)) => failures.update(|f| {
                    f.extend(errors.into_iter().map(|e| failure(Ok(e.message))));
                }),
                Err(e) => failures.update(|f| f.push(failure(Err(e)))),
            }
        };

    // Event handlers run outside any reactive scope; uploads are started in the
    // composer's, which drops their answers once it is gone.
    let scope = StoredValue::new(Owner::current());
    let in_scope = move |task: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>| match scope
        .get_value()
    {
        Some(owner) => owner.with(|| spawn_local_scoped_with_cancellation(task)),
        None => spawn_local_scoped_with_cancellation(task),
    };

    let upload = move |files: Vec<web_sys::File>| {
        failures.set(Vec::new());
        for file in files {
            uploading.update(|n| *n += 1);
            let filename = file.name();
            in_scope(Box::pin(async move {
                received(filename, api::upload_reference(file).await)
            }));
        }
    };

    let link_open = RwSignal::new(false);
    let link = RwSignal::new(String::new());
    let fetch_link = move || {
        let url = link.get_untracked().trim().to_owned();
        if url.is_empty() || full() {
            return;
        }
        failures.set(Vec::new());
        uploading.update(|n| *n += 1);
        link.set(String::new());
        link_open.set(false);
        in_scope(Box::pin(async move {
            let result = api::import_reference(url.clone()).await;
            received(url, result);
        }));
    };

    let open_library = move || {
        let opening = !library_open.get_untracked();
        library_open.set(opening);
        if opening {
            load_library.dispatch_local(());
        }
    };

    view! {
        <Show when=move || { limit.get() > 0 }>
            <div class="field references">
                <div class="label-row">
                    <span class="label">{move || i18n.t(Key::References)}</span>
                    <span class="chip" data-testid="input-type">
                        {move || i18n::input_type(i18n.lang(), form.input_type())}
                    </span>
                </div>
                <div
                    class="dropzone"
                    class:dragging=move || dragging.get()
                    class:full=full
                    data-testid="reference-drop"
                    on:dragover=move |ev: leptos::ev::DragEvent| {
                        // Without this the browser opens the dropped file instead.
                        ev.prevent_default();
                        dragging.set(true);
                    }
                    on:dragleave=move |_| dragging.set(false)
                    on:drop=move |ev: leptos::ev::DragEvent| {
                        ev.prevent_default();
                        dragging.set(false);
                        if full() {
                            return;
                        }
                        if let Some(list) = ev.data_transfer().and_then(|d| d.files()) {
                            upload(files_of(&list));
                        }
                    }
                >
                    <For
                        each=move || form.references.get()
                        key=|r| r.id.clone()
                        children=move |r| {
                            let id = r.id.clone();
                            view! {
                                <figure class="ref" data-testid="selected-reference">
                                    <RefPreview asset=r.clone() />
                                    <button
                                        type="button"
                                        class="ref-remove"
                                        title=move || i18n.t(Key::RemoveReference)
                                        aria-label=move || i18n.t(Key::RemoveReference)
                                        on:click=move |_| detach(id.clone())
                                    >
                                        "×"
                                    </button>
                                </figure>
                            }
                        }
                    />
                    <Show when=move || { uploading.get() > 0 }>
                        <div class="ref uploading" aria-live="polite">
                            <span>{move || i18n.t(Key::Uploading)}</span>
                        </div>
                    </Show>
                    <div class="dropzone-actions">
                        <label class="button small" class:disabled=full>
                            <input
                                type="file"
                                class="visually-hidden"
                                accept="image/png,image/jpeg,image/webp,image/gif,video/mp4,video/webm,video/quicktime"
                                multiple
                                data-testid="reference-input"
                                disabled=full
                                on:change=move |ev| {
                                    let input: web_sys::HtmlInputElement = event_target(&ev);
                                    if let Some(list) = input.files() {
                                        upload(files_of(&list));
                                    }
                                    // Choosing the same file again should upload it again.
                                    input.set_value("");
                                }
                            />
                            {move || i18n.t(Key::UploadReference)}
                        </label>
                        <button
                            type="button"
                            class="button small ghost"
                            data-testid="reference-link-toggle"
                            aria-expanded=move || link_open.get().to_string()
                            disabled=full
                            on:click=move |_| link_open.update(|open| *open = !*open)
                        >
                            {move || i18n.t(Key::FromLink)}
                        </button>
                        <button
                            type="button"
                            class="button small ghost"
                            data-testid="reference-library"
                            aria-expanded=move || library_open.get().to_string()
                            on:click=move |_| open_library()
                        >
                            {move || i18n.t(Key::FromLibrary)}
                        </button>
                        <span class="hint">
                            {move || i18n::references_hint(i18n.lang(), limit.get(), form.kind.get())}
                        </span>
                    </div>
                </div>
                // Inside the composer's form: no form of its own, and Enter fetches
                // instead of submitting the task.
                <Show when=move || link_open.get()>
                    <div class="reference-link">
                        <input
                            type="url"
                            inputmode="url"
                            autocomplete="off"
                            spellcheck="false"
                            data-testid="reference-link-input"
                            aria-label=move || i18n.t(Key::FromLink)
                            placeholder=move || i18n.t(Key::ReferenceLinkPlaceholder)
                            prop:value=move || link.get()
                            on:input=move |ev| link.set(event_target_value(&ev))
                            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                                if ev.key() == "Enter" {
                                    ev.prevent_default();
                                    fetch_link();
                                }
                            }
                        />
                        <button
                            type="button"
                            class="button small"
                            data-testid="reference-link-fetch"
                            disabled=move || link.with(|l| l.trim().is_empty())
                            on:click=move |_| fetch_link()
                        >
                            {move || i18n.t(Key::FetchReference)}
                        </button>
                    </div>
                </Show>
                {move || {
                    let lang = i18n.lang();
                    failures
                        .get()
                        .into_iter()
                        .map(|f| {
                            let message = match f.message {
                                Ok(m) => m,
                                Err(e) => e.message(lang),
                            };
                            view! {
                                <p class="field-error" data-testid="reference-error">
                                    {f.filename} ": " {message}
                                </p>
                            }
                        })
                        .collect_view()
                }}
                <Show when=move || library_open.get()>
                    <div class="library" data-testid="reference-library-panel">
                        {move || match library.get() {
                            None => view! { <p class="hint">{i18n.t(Key::Loading)}</p> }.into_any(),
                            Some(Err(e)) => {
                                view! { <p class="field-error">{e.message(i18n.lang())}</p> }.into_any()
                            }
                            Some(Ok(list)) if list.is_empty() => {
                                view! { <p class="hint">{i18n.t(Key::LibraryEmpty)}</p> }.into_any()
                            }
                            Some(Ok(list)) => {
                                list.into_iter()
                                    .map(|asset| {
                                        let id = asset.id.clone();
                                        let id_for_click = id.clone();
                                        let for_fits = asset.clone();
                                        let for_click = asset.clone();
                                        let title = asset.filename.clone();
                                        let chosen = Signal::derive(move || {
                                            form.references.with(|refs| refs.iter().any(|r| r.id == id))
                                        });
                                        view! {
                                            <button
                                                type="button"
                                                class="library-item"
                                                class:chosen=chosen
                                                data-testid="reference-option"
                                                title=title
                                                disabled=move || !fits(&for_fits) || (full() && !chosen.get())
                                                on:click=move |_| {
                                                    if chosen.get_untracked() {
                                                        detach(id_for_click.clone());
                                                    } else {
                                                        attach(for_click.clone());
                                                    }
                                                }
                                            >
                                                <RefPreview asset=asset />
                                            </button>
                                        }
                                    })
                                    .collect_view()
                                    .into_any()
                            }
                        }}
                    </div>
                </Show>
            </div>
        </Show>
    }
}

fn files_of(list: &web_sys::FileList) -> Vec<web_sys::File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// A thumbnail for images; videos have none, so they get a film mark and their name.
#[component]
pub fn RefPreview(asset: ReferenceAsset) -> impl IntoView {
    let i18n = use_i18n();
    let name = asset.filename.clone();
    match asset.thumbnail_url.clone() {
        Some(src) => view! {
            <img class="ref-thumb" src=src alt=asset.filename.clone() title=asset.filename loading="lazy" />
        }
        .into_any(),
        None => view! {
            <div class="ref-video" title=name>
                <span class="film" aria-hidden="true">"▶"</span>
                <span class="ref-name">{asset.filename}</span>
                <span class="visually-hidden">{move || i18n.t(Key::VideoReference)}</span>
            </div>
        }
        .into_any(),
    }
}
