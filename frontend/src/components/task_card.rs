//! One task on the board. The card reads its task from a signal, so a live event
//! changes the card in place (status, progress, thumbnails) without re-creating it.

use leptos::prelude::*;

use crate::components::status_badge::StatusBadge;
use crate::i18n::{self, Key, use_i18n};
use crate::model::{Output, Status, Task};

#[component]
pub fn TaskCard(#[prop(into)] task: Signal<Task>) -> impl IntoView {
    let i18n = use_i18n();
    let status = Signal::derive(move || task.with(|t| t.status));

    let meta = move || {
        let lang = i18n.lang();
        task.with(|t| {
            let mut parts = Vec::new();
            if let Some(ratio) = t.aspect_ratio {
                parts.push(i18n::aspect_ratio_short(ratio).to_owned());
            }
            parts.push(i18n::image_count(lang, t.count));
            if let Some(seed) = t.seed {
                parts.push(i18n::seed(lang, seed));
            }
            if let Some(name) = &t.submitted_by {
                parts.push(i18n::submitted_by(lang, name));
            }
            parts.join(" · ")
        })
    };

    view! {
        <article
            class="card"
            data-testid="task-card"
            data-status=move || status.get().as_str()
            data-task-id=move || task.with(|t| t.id.clone())
        >
            <Media task=task />
            <div class="card-body">
                <div class="card-top">
                    <StatusBadge status=status />
                    <time
                        class="created"
                        datetime=move || task.with(|t| t.created_at.clone())
                    >
                        {move || task.with(|t| i18n::datetime(i18n.lang(), &t.created_at))}
                    </time>
                </div>
                <p class="prompt" title=move || task.with(|t| t.prompt.clone())>
                    {move || task.with(|t| t.prompt.clone())}
                </p>
                <Show when=move || status.get() == Status::Processing>
                    <Progress value=Signal::derive(move || task.with(|t| t.progress)) />
                </Show>
                <Show when=move || status.get() == Status::Failed>
                    <div class="failure" role="note">
                        <strong>
                            {move || {
                                task.with(|t| match t.failure_reason {
                                    Some(reason) => i18n::failure_reason(i18n.lang(), reason),
                                    None => i18n.t(Key::FailedTitle),
                                })
                            }}
                        </strong>
                        {move || {
                            task.with(|t| t.failure_message.clone())
                                .map(|m| view! { <span class="failure-message">{m}</span> })
                        }}
                    </div>
                </Show>
                <p class="meta">{meta}</p>
            </div>
        </article>
    }
}

#[component]
fn Progress(#[prop(into)] value: Signal<i64>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="progress-row">
            <div
                class="progress"
                role="progressbar"
                aria-label=move || i18n.t(Key::Progress)
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || value.get().to_string()
            >
                <div class="progress-fill" style:width=move || format!("{}%", value.get())></div>
            </div>
            <span class="progress-value">{move || format!("{}%", value.get())}</span>
        </div>
    }
}

/// The picture area: thumbnails once there are any, otherwise a placeholder shaped
/// like the requested aspect ratio, so the grid does not jump when results arrive.
#[component]
fn Media(task: Signal<Task>) -> impl IntoView {
    let i18n = use_i18n();
    // Progress events change the task often; only re-render the pictures (and
    // restart the placeholder's animation) when something they show changes.
    let shown = Memo::new(move |_| {
        task.with(|t| {
            let thumbs: Vec<Output> = t
                .outputs
                .iter()
                .filter(|o| o.thumbnail_url.is_some())
                .cloned()
                .collect();
            (thumbs, t.status, t.aspect_ratio, t.prompt.clone())
        })
    });
    view! {
        <div class="media">
            {move || {
                let (thumbs, status, ratio, prompt) = shown.get();
                if !thumbs.is_empty() {
                    // Two wide pictures read better stacked than squeezed side by side.
                    let wide = ratio.is_some_and(|r| r.dimensions().0 > r.dimensions().1);
                    let columns = match (thumbs.len(), wide) {
                        (1, _) | (2, true) => 1,
                        _ => 2,
                    };
                    let single = thumbs.len() == 1;
                    let layout = if single { "thumbs single" } else { "thumbs multi" };
                    let lang = i18n.lang();
                    view! {
                        <div
                            class=layout
                            style:grid-template-columns=format!("repeat({columns}, 1fr)")
                        >
                            {thumbs
                                .into_iter()
                                .map(|o| thumbnail(o, &prompt, lang, single))
                                .collect_view()}
                        </div>
                    }
                        .into_any()
                } else {
                    let (w, h) = ratio.map(|r| r.dimensions()).unwrap_or((1, 1));
                    let caption = if status == Status::Succeeded {
                        i18n.t(Key::SavingOutputs).to_owned()
                    } else {
                        ratio.map(i18n::aspect_ratio_short).unwrap_or_default().to_owned()
                    };
                    let class = format!(
                        "placeholder placeholder-{}",
                        status.as_str().to_ascii_lowercase(),
                    );
                    // The media box is 4:3: wider shapes are limited by its width,
                    // narrower ones by its height.
                    let frame = if w * 3 >= h * 4 { "frame wide" } else { "frame tall" };
                    view! {
                        <div class=class>
                            <div class=frame style:aspect-ratio=format!("{w} / {h}")>
                                <span>{caption}</span>
                            </div>
                        </div>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}

fn thumbnail(
    output: Output,
    prompt: &str,
    lang: i18n::Lang,
    single: bool,
) -> impl IntoView + use<> {
    let alt = i18n::output_alt(lang, prompt, output.position);
    let full = output.url.clone().or_else(|| output.thumbnail_url.clone());
    // The same picture, blurred behind it, fills the letterbox of a single
    // thumbnail whose shape differs from the card's.
    let backdrop = output
        .thumbnail_url
        .as_ref()
        .filter(|_| single)
        .map(|u| format!("url(\"{}\")", u.replace('"', "%22")));
    view! {
        <a
            class="thumb"
            href=full
            target="_blank"
            rel="noopener"
            title=i18n::t(lang, Key::OpenFullSize)
            style:background-image=backdrop
        >
            <img
                data-testid="task-thumbnail"
                src=output.thumbnail_url
                alt=alt
                loading="lazy"
                decoding="async"
                width=output.width.map(|w| w.to_string())
                height=output.height.map(|h| h.to_string())
            />
        </a>
    }
}
