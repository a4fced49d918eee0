//! "You already have this": when the server refuses to spend again without a yes
//! (`CONFIRMATION_REQUIRED`), say why in the user's language, link the task the team
//! already has, and offer to go ahead, which sends the same request again with the
//! warnings acknowledged (the server records that someone chose to pay again).

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::shared::problems::Problem;
use crate::i18n::{Key, use_i18n};
use crate::model::{SpendNotice, SpendWarning};

/// The spend notices among a form's problems.
pub fn notices(problems: &[Problem]) -> Vec<SpendNotice> {
    problems
        .iter()
        .filter_map(|p| match p {
            Problem::Server(e) => e.confirm.clone(),
            Problem::Local { .. } => None,
        })
        .collect()
}

fn sentence(warning: SpendWarning) -> Key {
    match warning {
        SpendWarning::SucceededRecently => Key::SpendSucceededRecently,
        SpendWarning::FinalExists => Key::SpendFinalExists,
        SpendWarning::AlreadyCharged => Key::SpendAlreadyCharged,
        SpendWarning::Unknown => Key::SpendUnknown,
    }
}

#[component]
pub fn SpendConfirm(
    #[prop(into)] problems: Signal<Vec<Problem>>,
    /// The request is being sent again.
    #[prop(into)]
    pending: Signal<bool>,
    /// Sends the request again with these warnings acknowledged.
    on_confirm: Callback<Vec<SpendWarning>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let notices = Memo::new(move |_| problems.with(|p| notices(p)));
    move || {
        let list = notices.get();
        (!list.is_empty()).then(|| {
            let warnings: Vec<SpendWarning> = list.iter().map(|n| n.warning).collect();
            let items = list
                .into_iter()
                .map(|notice| {
                    // A retry's notice is about the task on screen: no link to itself.
                    let link = (notice.warning != SpendWarning::AlreadyCharged).then(|| {
                        view! {
                            <A href=format!("/tasks/{}", notice.task_id) attr:data-testid="spend-existing">
                                {move || i18n.t(Key::SpendOpenExisting)}
                            </A>
                        }
                    });
                    view! {
                        <li>
                            <span>{move || i18n.t(sentence(notice.warning))}</span>
                            " "
                            {link}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="spend-confirm" role="alert" data-testid="spend-confirm">
                    <ul>{items}</ul>
                    <button
                        type="button"
                        class="button primary"
                        data-testid="spend-confirm-button"
                        disabled=move || pending.get()
                        aria-busy=move || pending.get().to_string()
                        on:click=move |_| on_confirm.run(warnings.clone())
                    >
                        {move || i18n.t(Key::SpendGoAhead)}
                    </button>
                </div>
            }
        })
    }
}
