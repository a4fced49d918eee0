//! The typed operations the tests send, derived by `graphql_client` from the `.graphql`
//! files in `graphql/` and checked against the repository's `schema.graphql` at compile
//! time: a schema change that breaks a test's operation breaks the build, not a run.
//!
//! Each `.graphql` file holds several operations; a struct below selects one by its name.
//! [`crate::helpers::Api::op`] sends only that operation and the fragments it uses (see
//! [`document`]), as a client with one operation per file would.
//!
//! Enums are generated once, by the never-sent operations in `graphql/enums.graphql`,
//! and shared by every other operation (`extern_enums`), so that a `TaskStatus` from a
//! subscription compares with one from a query.

use graphql_client::GraphQLQuery;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The schema's `DateTime`: RFC 3339 text; the tests only check that it is there.
pub type DateTime = String;
/// The schema's `ID`, under the name `normalization = "rust"` gives it in generated code.
pub type Id = String;
/// The schema's `Upload`: sent as `null`, the multipart request's `map` puts the file
/// there.
pub type Upload = ();

/// One `#[derive(GraphQLQuery)]` per operation with the settings every test operation
/// shares.
macro_rules! operation {
    ($file:tt, $name:ident, $variables_derives:tt) => {
        #[derive(GraphQLQuery)]
        #[graphql(
                                                    schema_path = "../schema.graphql",
                                                    query_path = $file,
                                                    normalization = "rust",
                                                    response_derives = "Debug, Clone, PartialEq",
                                                    variables_derives = $variables_derives,
                                                    skip_serializing_none,
                                                    extern_enums(
                                                        "AspectRatio",
                                                        "Audio",
                                                        "BriefStatus",
                                                        "CameraMotion",
                                                        "DeliveryStatus",
                                                        "DownloadStatus",
                                                        "EndpointDisabledCode",
                                                        "FailureReason",
                                                        "InputType",
                                                        "LicenceStatus",
                                                        "LineageKind",
                                                        "MediaKind",
                                                        "OutputFormat",
                                                        "Quality",
                                                        "Resolution",
                                                        "Role",
                                                        "SpendWarning",
                                                        "Stage",
                                                        "TaskEventKind",
                                                        "TaskKind",
                                                        "TaskStatus",
                                                        "TransitionCause",
                                                        "UserErrorCode",
                                                        "WebhookEventType"
                                                    )
                                                )]
        pub struct $name;
    };
}

/// Operations in one file. Variables derive `Deserialize` so that [`recast`] can turn one
/// operation's input into another's with the same shape.
macro_rules! operations {
    ($file:tt: $($name:ident),+ $(,)?) => {
        $(operation!($file, $name, "Debug, Clone, Deserialize");)+
    };
}

/// The enum generators, without `extern_enums` (they are where the enums come from).
macro_rules! enum_source {
    ($name:ident) => {
        // Never sent: only its generated module is used.
        #[allow(dead_code)]
        #[derive(GraphQLQuery)]
        #[graphql(
            schema_path = "../schema.graphql",
            query_path = "tests/api/graphql/enums.graphql",
            normalization = "rust",
            response_derives = "Debug, Clone, PartialEq"
        )]
        pub struct $name;
    };
}

enum_source!(Enums);
enum_source!(MutationEnums);
enum_source!(SubscriptionEnums);

pub use enums::{
    AspectRatio, Audio, BriefStatus, CameraMotion, DeliveryStatus, DownloadStatus,
    EndpointDisabledCode, FailureReason, InputType, LicenceStatus, LineageKind, MediaKind,
    OutputFormat, Quality, Resolution, Role, SpendWarning, Stage, TaskKind, TaskStatus,
    TransitionCause, WebhookEventType,
};
pub use mutation_enums::UserErrorCode;
pub use subscription_enums::TaskEventKind;

operations!("tests/api/graphql/auth.graphql": Login, Viewer);
operations!("tests/api/graphql/tasks.graphql":
    SubmitTask, EstimateTask, TaskById, TaskAndNode, NodeId, Node, Tasks, RetryTask, CancelTask,
    TaskUpdated, TaskEvents,
);
// `Default` so that a test names only the overrides it makes.
operation!(
    "tests/api/graphql/tasks.graphql",
    PromoteTask,
    "Debug, Clone, Deserialize, Default"
);
operations!("tests/api/graphql/campaigns.graphql":
    CreateCampaign, CreateBrief, Campaigns, CampaignStats, BudgetAlerts,
);
operations!("tests/api/graphql/references.graphql": UploadReferenceAsset, ImportReferenceAsset);
operations!("tests/api/graphql/webhooks.graphql":
    CreateWebhookEndpoint, UpdateWebhookEndpoint, RotateWebhookEndpointSecret,
    ReplayWebhookDelivery, RotateCallbackSecret, WebhookEndpoints, TaskCallbackDeliveries,
    WebhookDeliveryUpdated, WebhookEndpointDisabled,
);
operations!("tests/api/graphql/catalogue.graphql": Models, SetProviderApiKey);
operations!("tests/api/graphql/downloads.graphql": TaskDownloads);

/// A task input with the schema's defaults and nothing else: a test sets what it needs
/// with `SubmitTaskInput { count: Some(2), ..task_input("a kettle") }`. An empty
/// `brief_id` is filled in by [`crate::helpers::Api::submit`].
pub fn task_input(prompt: impl Into<String>) -> submit_task::SubmitTaskInput {
    submit_task::SubmitTaskInput {
        brief_id: String::new(),
        input_type: InputType::TextToImage,
        stage: Stage::Draft,
        prompt: prompt.into(),
        negative_prompt: None,
        model: None,
        aspect_ratio: None,
        size: None,
        quality: None,
        count: None,
        seed: None,
        watermark: None,
        output_format: None,
        duration_seconds: None,
        fps: None,
        resolution: None,
        camera_motion: None,
        audio: None,
        reference_asset_ids: Vec::new(),
        idempotency_key: None,
        callback_url: None,
        acknowledged_warnings: Vec::new(),
    }
}

/// The same value as another operation's type of the same shape (a `SubmitTaskInput`
/// for `estimateTask`, say): each operation's module has its own input types.
pub fn recast<T: Serialize, U: DeserializeOwned>(value: &T) -> U {
    serde_json::from_value(serde_json::to_value(value).expect("serialisable"))
        .expect("the same shape")
}

/// A user error's `field` path, e.g. `field(&["input", "count"])`.
pub fn field(parts: &[&str]) -> Option<Vec<String>> {
    Some(parts.iter().map(|p| (*p).to_owned()).collect())
}

/// The operation `name` of `document` with the fragments it uses, transitively: what a
/// client with one operation per file sends. async-graphql validates (and counts the
/// complexity of) every operation in a document, not only the one it runs.
pub fn document(document: &str, name: &str) -> String {
    let definitions = definitions(document);
    let mut wanted = vec![
        definitions
            .iter()
            .find(|(kind, def_name, _)| *kind != "fragment" && def_name == name)
            .unwrap_or_else(|| panic!("no operation {name}"))
            .2,
    ];
    let mut i = 0;
    while i < wanted.len() {
        for spread in wanted[i].split("...").skip(1) {
            let fragment: String = spread
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if fragment == "on" || fragment.is_empty() {
                continue;
            }
            let text = definitions
                .iter()
                .find(|(kind, def_name, _)| *kind == "fragment" && *def_name == fragment)
                .unwrap_or_else(|| panic!("no fragment {fragment}"))
                .2;
            if !wanted.contains(&text) {
                wanted.push(text);
            }
        }
        i += 1;
    }
    wanted.join("\n")
}

/// The top-level definitions of a document as (keyword, name, text), found by their
/// braces outside strings and comments.
fn definitions(document: &str) -> Vec<(&str, String, &str)> {
    let mut out = Vec::new();
    let (mut depth, mut from, mut in_string, mut in_comment) = (0usize, 0, false, false);
    for (i, c) in document.char_indices() {
        match c {
            _ if in_comment => in_comment = c != '\n',
            '"' => in_string = !in_string,
            _ if in_string => {}
            '#' => in_comment = true,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    // From the end of the previous definition, less the comments between.
                    let mut text = &document[from..=i];
                    while let Some(line) = text.lines().next()
                        && (line.trim().is_empty() || line.trim_start().starts_with('#'))
                    {
                        text = text[line.len()..].trim_start_matches(['\r', '\n']);
                    }
                    let mut words = text
                        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .filter(|w| !w.is_empty());
                    let kind = words.next().unwrap_or_default();
                    let name = words.next().unwrap_or_default().to_owned();
                    out.push((kind, name, text));
                    from = i + 1;
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn a_document_is_cut_to_one_operation_and_the_fragments_it_uses() {
    let file = r##"# A comment { with a brace
query A($id: ID!) { task(id: $id) { ...Outer } }

mutation B { login(input: { email: "}", password: "#" }) { token } }

fragment Outer on Task { id ...Inner parent { ... on Task { id } } }
fragment Inner on Task { prompt }
fragment Unused on Task { seed }"##;
    let a = document(file, "A");
    assert_eq!(
        a,
        "query A($id: ID!) { task(id: $id) { ...Outer } }\n\
         fragment Outer on Task { id ...Inner parent { ... on Task { id } } }\n\
         fragment Inner on Task { prompt }"
    );
    assert_eq!(
        document(file, "B"),
        r##"mutation B { login(input: { email: "}", password: "#" }) { token } }"##
    );
}
