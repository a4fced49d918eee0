//! What a task was asked for, what it cost, and where it belongs, as definition
//! lists for the task page.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::board::composer::RefPreview;
use crate::i18n::{self, Key, Lang, use_i18n};
use crate::model::{Kind, TaskDetail, usage_entries};

/// One row: a label and its value; rows without a value are left out.
fn row(lang: Lang, key: Key, value: Option<String>) -> Option<AnyView> {
    let value = value?;
    Some(
        view! {
            <div class="fact">
                <dt>{i18n::t(lang, key)}</dt>
                <dd>{value}</dd>
            </div>
        }
        .into_any(),
    )
}

#[component]
pub fn TaskParameters(#[prop(into)] detail: Signal<TaskDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = move || {
        let lang = i18n.lang();
        detail.with(|d| {
            let t = &d.task;
            let image = t.kind == Some(Kind::Image);
            let yes_no = |b: bool| i18n::t(lang, if b { Key::Yes } else { Key::No }).to_owned();
            vec![
                row(lang, Key::Model, Some(t.model.clone())),
                row(
                    lang,
                    Key::InputType,
                    t.input_type.map(|i| i18n::input_type(lang, i).to_owned()),
                ),
                row(
                    lang,
                    Key::AspectRatio,
                    t.aspect_ratio
                        .map(|r| i18n::aspect_ratio(lang, r).to_owned()),
                ),
                row(lang, Key::Size, d.size.as_deref().map(i18n::size)),
                row(
                    lang,
                    Key::Quality,
                    t.quality.map(|q| i18n::quality(lang, q).to_owned()),
                ),
                row(lang, Key::Count, image.then(|| t.count.to_string())),
                row(
                    lang,
                    Key::Duration,
                    t.duration_seconds.map(|s| i18n::seconds(lang, s)),
                ),
                row(lang, Key::FrameRate, t.fps.map(|f| i18n::fps(lang, f))),
                row(lang, Key::Resolution, t.resolution.map(|r| r.label())),
                row(
                    lang,
                    Key::CameraMotion,
                    d.camera_motion
                        .map(|c| i18n::camera_motion(lang, c).to_owned()),
                ),
                row(
                    lang,
                    Key::Audio,
                    d.audio.map(|a| i18n::audio(lang, a).to_owned()),
                ),
                row(
                    lang,
                    Key::OutputFormat,
                    d.output_format.map(|f| f.label().to_owned()),
                ),
                row(lang, Key::SeedUsed, t.seed.map(|s| s.to_string())),
                row(lang, Key::Watermark, Some(yes_no(d.watermark))),
                row(lang, Key::NegativePrompt, d.negative_prompt.clone()),
            ]
            .into_iter()
            .flatten()
            .collect_view()
        })
    };
    view! {
        <section class="panel">
            <h2>{move || i18n.t(Key::Parameters)}</h2>
            <dl class="facts" data-testid="task-parameters">{rows}</dl>
        </section>
    }
}

#[component]
pub fn TaskCosts(#[prop(into)] detail: Signal<TaskDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = move || {
        let lang = i18n.lang();
        detail.with(|d| {
            let t = &d.task;
            let charged = if t.charged {
                Key::ChargedYes
            } else if t.status.is_terminal() {
                Key::ChargedNo
            } else {
                Key::ChargedNotYet
            };
            vec![
                row(
                    lang,
                    Key::EstimatedCost,
                    Some(i18n::money(&t.estimated_cost)),
                ),
                row(
                    lang,
                    Key::ActualCost,
                    Some(match &t.actual_cost {
                        Some(cost) => i18n::money(cost),
                        None if t.status.is_terminal() => i18n::t(lang, Key::NotCharged).to_owned(),
                        None => i18n::t(lang, Key::NotYetKnown).to_owned(),
                    }),
                ),
                row(lang, Key::Charged, Some(i18n::t(lang, charged).to_owned())),
            ]
            .into_iter()
            .flatten()
            .collect_view()
        })
    };
    // Whatever the gateway reported, as it worded it.
    let usage = move || {
        detail.with(|d| d.upstream_usage.clone()).map(|report| {
            let body = match usage_entries(&report) {
                Some(entries) => view! {
                    <dl class="facts" data-testid="upstream-usage">
                        {entries
                            .into_iter()
                            .map(|(name, value)| {
                                view! {
                                    <div class="fact">
                                        <dt><code>{name}</code></dt>
                                        <dd>{value}</dd>
                                    </div>
                                }
                            })
                            .collect_view()}
                    </dl>
                }
                .into_any(),
                None => {
                    view! { <code class="usage-raw" data-testid="upstream-usage">{report}</code> }
                        .into_any()
                }
            };
            view! {
                <h3>{move || i18n.t(Key::UpstreamUsage)}</h3>
                {body}
            }
        })
    };
    view! {
        <section class="panel">
            <h2>{move || i18n.t(Key::Costs)}</h2>
            <dl class="facts" data-testid="task-costs">{rows}</dl>
            {usage}
        </section>
    }
}

#[component]
pub fn TaskContext(#[prop(into)] detail: Signal<TaskDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = move || {
        let lang = i18n.lang();
        detail.with(|d| {
            let t = &d.task;
            vec![
                row(lang, Key::SubmittedBy, t.submitted_by.clone()),
                row(
                    lang,
                    Key::Created,
                    Some(i18n::datetime(lang, &t.created_at)),
                ),
                row(
                    lang,
                    Key::Finished,
                    d.finished_at.as_deref().map(|f| i18n::datetime(lang, f)),
                ),
                row(
                    lang,
                    Key::Deadline,
                    (!t.status.is_terminal()).then(|| i18n::datetime(lang, &d.deadline_at)),
                ),
                row(lang, Key::Provider, Some(d.provider.clone())),
                row(lang, Key::UpstreamId, d.upstream_task_id.clone()),
                row(lang, Key::CallbackUrl, d.callback_url.clone()),
            ]
            .into_iter()
            .flatten()
            .collect_view()
        })
    };
    let references = move || detail.with(|d| d.references.clone());
    view! {
        <section class="panel">
            <h2>{move || i18n.t(Key::Details)}</h2>
            <dl class="facts" data-testid="task-context">
                <div class="fact">
                    <dt>{move || i18n.t(Key::Campaign)}</dt>
                    <dd>{move || detail.with(|d| d.campaign.name.clone())}</dd>
                </div>
                <div class="fact">
                    <dt>{move || i18n.t(Key::Brief)}</dt>
                    <dd>{move || detail.with(|d| d.task.brief.name.clone())}</dd>
                </div>
                {rows}
            </dl>
            <Show when=move || !references().is_empty()>
                <h3>{move || i18n.t(Key::References)}</h3>
                <div class="ref-row">
                    {move || {
                        let lang = i18n.lang();
                        references()
                            .into_iter()
                            .map(|r| {
                                let licence = r
                                    .licence_status
                                    .map(|l| i18n::licence(lang, l))
                                    .unwrap_or_default();
                                let url = r.url.clone();
                                view! {
                                    <a class="ref" href=url target="_blank" rel="noopener" title=licence>
                                        <RefPreview asset=r />
                                    </a>
                                }
                            })
                            .collect_view()
                    }}
                </div>
            </Show>
        </section>
    }
}

/// The way back to the board, with the campaign and brief the task belongs to.
#[component]
pub fn Breadcrumbs(#[prop(into)] detail: Signal<Option<TaskDetail>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="breadcrumbs" aria-label=move || i18n.t(Key::Breadcrumbs)>
            <A href="/" attr:data-testid="back-to-board">
                "← " {move || i18n.t(Key::BackToBoard)}
            </A>
            {move || {
                detail
                    .with(|d| d.as_ref().map(|d| (d.campaign.name.clone(), d.task.brief.name.clone())))
                    .map(|(campaign, brief)| {
                        view! {
                            <span class="crumb">{campaign}</span>
                            <span class="crumb">{brief}</span>
                        }
                    })
            }}
        </nav>
    }
}
