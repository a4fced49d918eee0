//! One task on the board. The card reads its task from a signal, so a live event
//! changes the card in place (status, progress, thumbnails) without re-creating it.
//! The whole card is a link to the task's page.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::shared::status_badge::{StageBadge, StatusBadge};
use crate::i18n::{self, Key, use_i18n};
use crate::model::{Kind, Output, Status, Task};

#[component]
pub fn TaskCard(#[prop(into)] task: Signal<Task>) -> impl IntoView {
    let i18n = use_i18n();
    let status = Signal::derive(move || task.with(|t| t.status));
    let stage = Signal::derive(move || task.with(|t| t.stage));
    let href = move || task.with(|t| format!("/tasks/{}", t.id));

    let meta = move || {
        let lang = i18n.lang();
        task.with(|t| i18n::task_summary(lang, t))
    };
    let waiting = move || {
        task.with(|t| match (t.status, t.queue_position) {
            (Status::Queued | Status::Submitted, Some(n)) => {
                Some(i18n::queue_position(i18n.lang(), n))
            }
            _ => None,
        })
    };

    view! {
        <article
            class="card"
            data-testid="task-card"
            data-status=move || status.get().as_str()
            data-stage=move || stage.get().map(|s| s.as_str()).unwrap_or_default()
            data-task-id=move || task.with(|t| t.id.clone())
        >
            <Media task=task />
            <div class="card-body">
                <div class="card-top">
                    <span class="badges">
                        <StatusBadge status=status />
                        <StageBadge stage=stage />
                    </span>
                    <time class="created" datetime=move || task.with(|t| t.created_at.clone())>
                        {move || task.with(|t| i18n::datetime(i18n.lang(), &t.created_at))}
                    </time>
                </div>
                <A href=href attr:class="prompt card-link" attr:data-testid="task-link">
                    {move || task.with(|t| t.prompt.clone())}
                </A>
                <Show when=move || status.get() == Status::Processing>
                    <Progress value=Signal::derive(move || task.with(|t| t.progress)) />
                </Show>
                {move || waiting().map(|text| view! { <p class="queue" data-testid="queue-position">{text}</p> })}
                <Show when=move || matches!(status.get(), Status::Failed | Status::Cancelled)>
                    <div class="failure" role="note">
                        <strong>
                            {move || {
                                task.with(|t| match t.failure_reason {
                                    Some(reason) => i18n::failure_reason(i18n.lang(), reason),
                                    None => i18n::status(i18n.lang(), t.status),
                                })
                            }}
                        </strong>
                        // What to do, in the reader's language; the raw text is on the
                        // task's page.
                        {move || {
                            task.with(|t| t.failure_reason)
                                .map(|r| view! { <span class="failure-advice">{i18n::failure_advice(i18n.lang(), r)}</span> })
                        }}
                    </div>
                </Show>
                <p class="meta">{meta}</p>
                <div class="card-foot">
                    <span class="kind-label" data-testid="task-kind">
                        {move || {
                            task.with(|t| t.kind.map(|k| i18n::kind(i18n.lang(), k)).unwrap_or_default())
                        }}
                    </span>
                    <span class="cost" data-testid="task-cost" title=move || i18n.t(Key::Cost)>
                        {move || task.with(|t| i18n::task_cost(i18n.lang(), t))}
                    </span>
                </div>
            </div>
        </article>
    }
}

#[component]
pub fn Progress(#[prop(into)] value: Signal<i64>) -> impl IntoView {
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

/// The picture area: results once there are any, otherwise a placeholder shaped
/// like the requested aspect ratio, so the grid does not jump when results arrive.
/// Videos show their first frame (the poster); they play on the task page.
#[component]
fn Media(task: Signal<Task>) -> impl IntoView {
    let i18n = use_i18n();
    // Progress events change the task often; only re-render the pictures (and
    // restart the placeholder's animation) when something they show changes.
    let shown = Memo::new(move |_| {
        task.with(|t| {
            let ready: Vec<Output> = t
                .outputs
                .iter()
                .filter(|o| o.thumbnail_url.is_some() || o.url.is_some())
                .cloned()
                .collect();
            (ready, t.status, t.aspect_ratio, t.prompt.clone(), t.kind)
        })
    });
    view! {
        <div class="media">
            {move || {
                let (ready, status, ratio, prompt, kind) = shown.get();
                if !ready.is_empty() {
                    // Two wide pictures read better stacked than squeezed side by side.
                    let wide = ratio.is_some_and(|r| r.dimensions().0 > r.dimensions().1);
                    let columns = match (ready.len(), wide) {
                        (1, _) | (2, true) => 1,
                        _ => 2,
                    };
                    let single = ready.len() == 1;
                    let layout = if single { "thumbs single" } else { "thumbs multi" };
                    let lang = i18n.lang();
                    view! {
                        <div
                            class=layout
                            style:grid-template-columns=format!("repeat({columns}, 1fr)")
                        >
                            {ready
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
                        let shape = ratio.map(|r| r.short()).unwrap_or_default();
                        match kind {
                            Some(Kind::Video) => format!("▶ {shape}"),
                            _ => shape,
                        }
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
    // Every output shows its small still preview: for a moving one that is its first
    // frame (a poster), so the board never loads whole clips; the task page plays them.
    // A stored still without a preview falls back to the file itself; a clip never does.
    let moving = output.is_moving();
    let src = if moving {
        output.thumbnail_url.clone()
    } else {
        output.thumbnail_url.clone().or_else(|| output.url.clone())
    };
    // The same picture, blurred behind it, fills the letterbox of a single
    // thumbnail whose shape differs from the card's.
    let backdrop = output
        .thumbnail_url
        .as_ref()
        .filter(|_| single)
        .map(|u| format!("url(\"{}\")", u.replace('"', "%22")));
    let duration = output.duration_ms.map(|ms| i18n::duration_ms(lang, ms));
    view! {
        <div class="thumb" style:background-image=backdrop data-moving=moving.to_string()>
            {match src {
                Some(src) => view! {
                    <img
                        data-testid="task-thumbnail"
                        src=src
                        alt=alt
                        loading="lazy"
                        decoding="async"
                        width=output.width.map(|w| w.to_string())
                        height=output.height.map(|h| h.to_string())
                    />
                }
                .into_any(),
                None => view! {
                    <div class="thumb-clip" role="img" aria-label=alt data-testid="task-thumbnail">"▶"</div>
                }
                .into_any(),
            }}
            {(moving || duration.is_some())
                .then(|| view! { <span class="duration-badge">"▶ " {duration.unwrap_or_default()}</span> })}
        </div>
    }
}
