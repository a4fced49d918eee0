//! Problems with a form's input, shown next to the field at fault.
//!
//! Every form in the UI reports problems the same way: the server's `userErrors`
//! (and the few a form catches itself) go in a [`Problem`] list, [`FieldErrors`]
//! shows a field's own, and [`FormErrors`] the rest above the submit button.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::shared::text_field::unique_id;
use crate::i18n::{self, Key, Lang, use_i18n};
use crate::model::UserError;

#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// Reported by the server in `userErrors`.
    Server(UserError),
    /// Caught before sending, e.g. text that is not a number cannot even be encoded.
    Local { field: &'static str, key: Key },
}

impl Problem {
    pub fn field(&self) -> Option<&str> {
        match self {
            Problem::Server(e) => e.field.as_deref(),
            Problem::Local { field, .. } => Some(field),
        }
    }

    pub fn text(&self, lang: Lang) -> String {
        match self {
            Problem::Server(e) => i18n::user_error(lang, e.field.as_deref(), e.code, &e.message),
            Problem::Local { key, .. } => i18n::t(lang, *key).to_owned(),
        }
    }
}

pub fn from_server(errors: Vec<UserError>) -> Vec<Problem> {
    errors.into_iter().map(Problem::Server).collect()
}

/// Whether `field` has a problem. Tracked.
pub fn has(problems: Signal<Vec<Problem>>, field: &'static str) -> bool {
    problems.with(|p| p.iter().any(|p| p.field() == Some(field)))
}

/// Ties a control to its problems for assistive technology: the control is
/// `aria-invalid` while `field` has a problem and `aria-describedby` the
/// [`FieldErrors`] that shows them (give that the same [`ErrorLink::id`]).
#[derive(Clone)]
pub struct ErrorLink {
    problems: Signal<Vec<Problem>>,
    field: &'static str,
    id: String,
}

impl ErrorLink {
    pub fn new(problems: Signal<Vec<Problem>>, field: &'static str) -> Self {
        Self {
            problems,
            field,
            id: unique_id("errors"),
        }
    }

    /// The id of the element holding the errors.
    pub fn id(&self) -> String {
        self.id.clone()
    }

    /// For `aria-invalid`. Tracked.
    pub fn invalid(&self) -> impl Fn() -> &'static str + Send + Sync + Clone + 'static + use<> {
        let (problems, field) = (self.problems, self.field);
        move || {
            if has(problems, field) {
                "true"
            } else {
                "false"
            }
        }
    }

    /// For `aria-describedby`: the errors' id while there are any. Tracked.
    pub fn described_by(
        &self,
    ) -> impl Fn() -> Option<String> + Send + Sync + Clone + 'static + use<> {
        let (problems, field, id) = (self.problems, self.field, self.id.clone());
        move || has(problems, field).then(|| id.clone())
    }
}

/// The problems with one field, under it.
#[component]
pub fn FieldErrors(
    #[prop(into)] problems: Signal<Vec<Problem>>,
    field: &'static str,
    /// For the input's `aria-describedby`.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let errors = move || {
        let lang = i18n.lang();
        problems.with(|p| {
            p.iter()
                .filter(|p| p.field() == Some(field))
                .map(|p| {
                    view! {
                        <p class="field-error" data-testid="form-error" data-field=field>
                            {p.text(lang)}
                        </p>
                    }
                })
                .collect_view()
        })
    };
    // Laid out as if the wrapper were not there (`display: contents`).
    view! { <div class="field-errors" id=id>{errors}</div> }
}

/// Problems that belong to no field the form shows, and a failed request.
#[component]
pub fn FormErrors(
    #[prop(into)] problems: Signal<Vec<Problem>>,
    /// The fields the form shows next to their inputs.
    fields: &'static [&'static str],
    #[prop(into, optional)] failure: Signal<Option<ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let lang = i18n.lang();
        let mut texts: Vec<String> = problems.with(|p| {
            p.iter()
                .filter(|p| !p.field().is_some_and(|f| fields.contains(&f)))
                // `SpendConfirm` says these, with what to do about them.
                .filter(|p| !matches!(p, Problem::Server(e) if e.confirm.is_some()))
                .map(|p| p.text(lang))
                .collect()
        });
        if let Some(e) = failure.get() {
            texts.push(e.message(lang));
        }
        texts
            .into_iter()
            .map(|text| {
                view! {
                    <p class="alert" role="alert" data-testid="form-error">
                        {text}
                    </p>
                }
            })
            .collect_view()
    }
}
