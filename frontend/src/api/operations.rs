//! The typed GraphQL operations, derived from `schema.graphql` and the files in
//! `frontend/graphql/`, plus thin functions that run them and hand back the board's
//! own types from [`crate::model`].
//!
//! Each derive checks its operation against the schema at compile time. The
//! conversions below name every enum variant and field explicitly (no serde
//! round-trips), so a renamed field or removed variant on the server is a build error
//! here rather than a blank card in the browser.

use graphql_client::GraphQLQuery;

use super::{ApiError, graphql_query};
use crate::model::{AspectRatio, ErrorCode, FailureReason, Output, Status, Task, UserError};

/// The schema's `DateTime` scalar: RFC 3339 text. Kept as text because the UI only
/// formats it for display and compares instants through [`crate::model::timestamp_ms`].
type DateTime = String;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/login.graphql",
    response_derives = "Debug, Clone"
)]
pub struct Login;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/viewer.graphql",
    response_derives = "Debug, Clone"
)]
pub struct Viewer;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/tasks.graphql",
    response_derives = "Debug, Clone"
)]
pub struct Tasks;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/submit_task.graphql",
    response_derives = "Debug, Clone"
)]
pub struct SubmitTask;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/task_events.graphql",
    response_derives = "Debug, Clone"
)]
pub struct TaskEvents;

/// `From` impls from one operation's generated types into the model. A macro because
/// every operation gets its own copies of the same enums and fragment.
macro_rules! status_from {
    ($op:ident) => {
        impl From<$op::TaskStatus> for Status {
            fn from(status: $op::TaskStatus) -> Self {
                match status {
                    $op::TaskStatus::QUEUED => Status::Queued,
                    $op::TaskStatus::SUBMITTED => Status::Submitted,
                    $op::TaskStatus::PROCESSING => Status::Processing,
                    $op::TaskStatus::SUCCEEDED => Status::Succeeded,
                    $op::TaskStatus::FAILED => Status::Failed,
                    $op::TaskStatus::CANCELLED => Status::Cancelled,
                    $op::TaskStatus::Other(_) => Status::Unknown,
                }
            }
        }
    };
}

macro_rules! task_from {
    ($op:ident) => {
        status_from!($op);

        impl From<$op::AspectRatio> for Option<AspectRatio> {
            fn from(ratio: $op::AspectRatio) -> Self {
                Some(match ratio {
                    $op::AspectRatio::SQUARE_1_1 => AspectRatio::Square1x1,
                    $op::AspectRatio::LANDSCAPE_16_9 => AspectRatio::Landscape16x9,
                    $op::AspectRatio::PORTRAIT_9_16 => AspectRatio::Portrait9x16,
                    $op::AspectRatio::LANDSCAPE_4_3 => AspectRatio::Landscape4x3,
                    $op::AspectRatio::PORTRAIT_3_4 => AspectRatio::Portrait3x4,
                    $op::AspectRatio::LANDSCAPE_21_9 => AspectRatio::Landscape21x9,
                    $op::AspectRatio::Other(_) => return None,
                })
            }
        }

        impl From<$op::FailureReason> for FailureReason {
            fn from(reason: $op::FailureReason) -> Self {
                match reason {
                    $op::FailureReason::INVALID_PARAMS => FailureReason::InvalidParams,
                    $op::FailureReason::CONTENT_POLICY => FailureReason::ContentPolicy,
                    $op::FailureReason::QUOTA => FailureReason::Quota,
                    $op::FailureReason::QUEUE_TIMEOUT => FailureReason::QueueTimeout,
                    $op::FailureReason::UPSTREAM_ERROR => FailureReason::UpstreamError,
                    $op::FailureReason::DOWNLOAD_FAILED => FailureReason::DownloadFailed,
                    $op::FailureReason::CANCELLED => FailureReason::Cancelled,
                    $op::FailureReason::Other(_) => FailureReason::Unknown,
                }
            }
        }

        impl From<$op::TaskFields> for Task {
            fn from(task: $op::TaskFields) -> Self {
                let mut outputs: Vec<Output> = task
                    .outputs
                    .into_iter()
                    .map(|o| Output {
                        id: o.id,
                        position: o.position,
                        url: o.url,
                        thumbnail_url: o.thumbnail_url,
                        width: o.width,
                        height: o.height,
                    })
                    .collect();
                outputs.sort_by_key(|o| o.position);
                Task {
                    id: task.id,
                    status: task.status.into(),
                    progress: task.progress.clamp(0, 100),
                    prompt: task.prompt,
                    aspect_ratio: task.aspect_ratio.into(),
                    count: task.count,
                    seed: task.seed,
                    failure_reason: task.failure_reason.map(Into::into),
                    failure_message: task.failure_message,
                    created_at: task.created_at,
                    updated_at: task.updated_at,
                    submitted_by: task.submitted_by.map(|u| u.display_name),
                    outputs,
                }
            }
        }
    };
}

macro_rules! error_code_from {
    ($op:ident) => {
        impl From<$op::UserErrorCode> for ErrorCode {
            fn from(code: $op::UserErrorCode) -> Self {
                match code {
                    $op::UserErrorCode::REQUIRED => ErrorCode::Required,
                    $op::UserErrorCode::INVALID => ErrorCode::Invalid,
                    $op::UserErrorCode::TOO_LONG => ErrorCode::TooLong,
                    $op::UserErrorCode::OUT_OF_RANGE => ErrorCode::OutOfRange,
                    $op::UserErrorCode::INVALID_CREDENTIALS => ErrorCode::InvalidCredentials,
                    $op::UserErrorCode::CONFLICT => ErrorCode::Conflict,
                    $op::UserErrorCode::NOT_FOUND => ErrorCode::NotFound,
                    $op::UserErrorCode::Other(_) => ErrorCode::Unknown,
                }
            }
        }
    };
}

task_from!(tasks);
task_from!(submit_task);
task_from!(task_events);
error_code_from!(login);
error_code_from!(submit_task);

/// A successful sign-in.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
}

/// Signs in. `Ok(Err(..))` carries the problems the user can fix.
pub async fn login(
    email: String,
    password: String,
) -> Result<Result<Session, Vec<UserError>>, ApiError> {
    let data = graphql_query::<Login>(login::Variables {
        input: login::LoginInput { email, password },
    })
    .await?;
    let payload = data.login;
    if !payload.user_errors.is_empty() {
        return Ok(Err(payload
            .user_errors
            .into_iter()
            .map(|e| UserError::new(e.field, e.code.into(), e.message))
            .collect()));
    }
    // A payload with neither a token nor an error would be a server bug; saying so
    // beats pretending the sign-in worked.
    match payload.token {
        Some(token) => Ok(Ok(Session { token })),
        None => Err(ApiError::NoData),
    }
}

/// Who is signed in, for the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Me {
    pub display_name: String,
    pub email: String,
    pub team: String,
    /// Wire names, e.g. `CREATOR`.
    pub roles: Vec<String>,
}

pub async fn viewer() -> Result<Me, ApiError> {
    let data = graphql_query::<Viewer>(viewer::Variables {}).await?;
    // The server answers a missing or unknown token with `viewer: null`.
    let Some(v) = data.viewer else {
        super::signed_out();
        return Err(ApiError::Unauthenticated(String::new()));
    };
    Ok(Me {
        display_name: v.user.display_name,
        email: v.user.email,
        team: v.team.name,
        roles: v
            .roles
            .into_iter()
            .map(|r| match r {
                viewer::Role::ADMIN => "ADMIN".to_owned(),
                viewer::Role::CREATOR => "CREATOR".to_owned(),
                viewer::Role::REVIEWER => "REVIEWER".to_owned(),
                viewer::Role::Other(other) => other,
            })
            .collect(),
    })
}

/// Which tasks the board lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TaskFilter {
    #[default]
    All,
    Active,
    Succeeded,
    Failed,
}

impl TaskFilter {
    pub const ALL: [TaskFilter; 4] = [
        TaskFilter::All,
        TaskFilter::Active,
        TaskFilter::Succeeded,
        TaskFilter::Failed,
    ];

    /// Whether a task that is not on the board yet belongs there, e.g. when a live
    /// event announces it.
    pub fn admits(self, status: Status) -> bool {
        match self {
            TaskFilter::All => true,
            TaskFilter::Active => status.is_active(),
            TaskFilter::Succeeded => status == Status::Succeeded,
            TaskFilter::Failed => status == Status::Failed,
        }
    }

    fn statuses(self) -> Option<Vec<tasks::TaskStatus>> {
        use tasks::TaskStatus as S;
        match self {
            TaskFilter::All => None,
            TaskFilter::Active => Some(vec![S::QUEUED, S::SUBMITTED, S::PROCESSING]),
            TaskFilter::Succeeded => Some(vec![S::SUCCEEDED]),
            TaskFilter::Failed => Some(vec![S::FAILED]),
        }
    }
}

/// One page of the task list, newest first.
#[derive(Clone, Debug)]
pub struct TaskPage {
    pub tasks: Vec<Task>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<String>,
}

/// The server's own cap is 100; 50 fills a large screen without a slow first paint.
pub const PAGE_SIZE: i64 = 50;

pub async fn fetch_tasks(filter: TaskFilter, after: Option<String>) -> Result<TaskPage, ApiError> {
    let data = graphql_query::<Tasks>(tasks::Variables {
        first: PAGE_SIZE,
        after,
        filter: filter.statuses().map(|status| tasks::TaskFilter {
            status: Some(status),
            kind: None,
            mine: false,
        }),
    })
    .await?;
    let page = data.tasks;
    Ok(TaskPage {
        tasks: page.edges.into_iter().map(|e| e.node.into()).collect(),
        next: page
            .page_info
            .has_next_page
            .then_some(page.page_info.end_cursor)
            .flatten(),
    })
}

/// What the submit form sends.
#[derive(Clone, Debug)]
pub struct NewTask {
    pub prompt: String,
    pub aspect_ratio: AspectRatio,
    pub count: i64,
    pub seed: Option<i64>,
    pub idempotency_key: String,
}

pub async fn submit_task(input: NewTask) -> Result<Result<Task, Vec<UserError>>, ApiError> {
    use submit_task::AspectRatio as R;
    let aspect_ratio = match input.aspect_ratio {
        AspectRatio::Square1x1 => R::SQUARE_1_1,
        AspectRatio::Landscape16x9 => R::LANDSCAPE_16_9,
        AspectRatio::Portrait9x16 => R::PORTRAIT_9_16,
        AspectRatio::Landscape4x3 => R::LANDSCAPE_4_3,
        AspectRatio::Portrait3x4 => R::PORTRAIT_3_4,
        AspectRatio::Landscape21x9 => R::LANDSCAPE_21_9,
    };
    let data = graphql_query::<SubmitTask>(submit_task::Variables {
        input: submit_task::SubmitTaskInput {
            prompt: input.prompt,
            aspect_ratio,
            count: input.count,
            seed: input.seed,
            idempotency_key: Some(input.idempotency_key),
        },
    })
    .await?;
    let payload = data.submit_task;
    if !payload.user_errors.is_empty() {
        return Ok(Err(payload
            .user_errors
            .into_iter()
            .map(|e| UserError::new(e.field, e.code.into(), e.message))
            .collect()));
    }
    payload.task.map(|t| Ok(t.into())).ok_or(ApiError::NoData)
}

/// A live change to a task, as `taskEvents` delivers it.
pub fn event_task(data: task_events::ResponseData) -> Task {
    data.task_events.task.into()
}
