use crate::helpers::{Subscription, WsEvent, both_engines};
use crate::ops::{
    self, AspectRatio, DownloadStatus, TaskEventKind, TaskStatus, UserErrorCode, field, task_input,
    tasks,
};

/// Collects `taskEvents` transitions for task `id` until it is terminal.
async fn transitions_until_finished(
    subscription: &mut Subscription<ops::TaskEvents>,
    id: &str,
) -> Vec<(Option<TaskStatus>, TaskStatus)> {
    let mut seen = Vec::new();
    loop {
        let event = subscription.next().await.task_events;
        if event.task.id != id || event.kind != TaskEventKind::Transition {
            continue;
        }
        let to = event.to_status.clone();
        seen.push((event.from_status.clone(), to.clone()));
        if to.is_terminal() {
            assert_eq!(
                event.task.status, to,
                "the event carries the task as of the change"
            );
            return seen;
        }
    }
}

/// The first `first` tasks after `after`, filtered.
fn list(first: i64, after: Option<String>, filter: Option<tasks::TaskFilter>) -> tasks::Variables {
    tasks::Variables {
        first,
        after,
        filter,
    }
}

/// A filter with nothing set.
fn filter() -> tasks::TaskFilter {
    tasks::TaskFilter {
        status: None,
        kind: None,
        stage: None,
        campaign_id: None,
        brief_id: None,
        mine: false,
    }
}

both_engines! {
    async fn a_submitted_task_is_queued_with_its_parameters_and_a_recorded_seed(app) {
        let token = app.admin_token().await;
        let payload = app.submit(&token, ops::submit_task::SubmitTaskInput { count: Some(2), aspect_ratio: Some(AspectRatio::Landscape169), ..task_input("  a red kettle on a beach ") }).await;
        assert_eq!(payload.user_errors, vec![]);
        let task = payload.task.unwrap();
        assert_eq!(task.status, TaskStatus::Queued);
        assert_eq!(task.prompt, "a red kettle on a beach");
        assert_eq!(task.count, 2);
        assert!(task.seed.is_some(), "Kiln picks and records a seed: {task:?}");
    }

    async fn a_subscriber_sees_every_transition_in_order_and_the_outputs_at_the_end(app) {
        let token = app.admin_token().await;
        let mut events = app.subscribe_op::<ops::TaskEvents>(&token, ops::task_events::Variables).await;
        let id = app.submit_ok(&token, ops::submit_task::SubmitTaskInput { count: Some(2), seed: Some(42), ..task_input("a red kettle") }).await;

        let seen = transitions_until_finished(&mut events, &id).await;
        assert_eq!(seen, vec![
            (None, TaskStatus::Queued),
            (Some(TaskStatus::Queued), TaskStatus::Submitted),
            (Some(TaskStatus::Submitted), TaskStatus::Processing),
            (Some(TaskStatus::Processing), TaskStatus::Succeeded),
        ]);

        // What was announced is what is stored.
        let task = app.task(&token, &id).await;
        assert_eq!(task.status, TaskStatus::Succeeded);
        assert_eq!(task.progress, 100);
        assert!(task.upstream_task_id.as_deref().unwrap().starts_with("sim-"));
        let history: Vec<_> = task.history.iter().map(|h| h.to_status.clone()).collect();
        assert_eq!(history, vec![TaskStatus::Queued, TaskStatus::Submitted, TaskStatus::Processing, TaskStatus::Succeeded]);
        assert_eq!(task.history[3].upstream_status.as_deref(), Some("completed"));
        assert_eq!(task.outputs.len(), 2);
        for (position, output) in task.outputs.iter().enumerate() {
            assert_eq!(output.position, position as i64);
            assert_eq!(output.format, "png");
            assert_eq!(output.download_status, DownloadStatus::Stored);
            assert_eq!((output.width, output.height), (Some(512), Some(512)));
        }
    }

    async fn task_updated_streams_the_current_state_then_each_change_and_ends_when_done(app) {
        let token = app.admin_token().await;
        let id = app.submit_ok(&token, task_input("a teapot")).await;
        let mut updates = app.subscribe_op::<ops::TaskUpdated>(&token, ops::task_updated::Variables { id: id.clone() }).await;

        let mut statuses = Vec::new();
        loop {
            match updates.next_event().await {
                WsEvent::Next(data) => {
                    assert_eq!(data.task_updated.id, id);
                    statuses.push(data.task_updated.status);
                }
                WsEvent::Complete => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(statuses.last(), Some(&TaskStatus::Succeeded));
        // Statuses only move forward.
        let order = [TaskStatus::Queued, TaskStatus::Submitted, TaskStatus::Processing, TaskStatus::Succeeded];
        let ranks: Vec<_> = statuses.iter().map(|s| order.iter().position(|o| o == s).unwrap()).collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{statuses:?}");
    }

    async fn invalid_input_comes_back_as_user_errors_and_stores_nothing(app) {
        let token = app.admin_token().await;
        let payload = app.submit(&token, ops::submit_task::SubmitTaskInput { count: Some(9), seed: Some(-5), ..task_input("   ") }).await;
        assert!(payload.task.is_none());
        let fields: Vec<_> = payload.user_errors.iter().map(|e| (e.field.clone(), e.code.clone())).collect();
        assert_eq!(fields, vec![
            (field(&["input", "prompt"]), UserErrorCode::Required),
            (field(&["input", "seed"]), UserErrorCode::OutOfRange),
            (field(&["input", "count"]), UserErrorCode::OutOfRange),
        ]);
        let list = app.op::<ops::Tasks>(Some(&token), list(20, None, None)).await;
        assert_eq!(list.tasks.edges, vec![]);
    }

    async fn a_prompt_over_the_limit_is_refused_with_its_length(app) {
        let token = app.admin_token().await;
        let payload = app.submit(&token, task_input("长".repeat(4001))).await;
        assert_eq!(payload.user_errors[0].code, UserErrorCode::TooLong);
        assert!(payload.user_errors[0].message.contains("4001"));
    }

    async fn resending_with_the_same_idempotency_key_returns_the_same_task(app) {
        let token = app.admin_token().await;
        let input = ops::submit_task::SubmitTaskInput { idempotency_key: Some("form-7f3a".into()), ..task_input("a red kettle") };
        let first = app.submit(&token, input.clone()).await;
        let second = app.submit(&token, input).await;
        assert_eq!(first.task.unwrap().id, second.task.unwrap().id);
        assert_eq!((first.replayed, second.replayed), (false, true));
        let list = app.op::<ops::Tasks>(Some(&token), list(20, None, None)).await;
        assert_eq!(list.tasks.edges.len(), 1);
    }

    async fn concurrent_requests_with_one_idempotency_key_create_one_task(app) {
        let token = app.admin_token().await;
        let input = ops::submit_task::SubmitTaskInput { idempotency_key: Some("double-click".into()), ..task_input("a red kettle") };
        let submits = (0..8).map(|_| app.submit(&token, input.clone()));
        let payloads = futures::future::join_all(submits).await;
        let ids: std::collections::HashSet<_> = payloads.iter().map(|p| p.task.as_ref().map(|t| t.id.clone())).collect();
        assert_eq!(ids.len(), 1, "{payloads:?}");
        let list = app.op::<ops::Tasks>(Some(&token), list(20, None, None)).await;
        assert_eq!(list.tasks.edges.len(), 1);
    }

    async fn reusing_an_idempotency_key_for_other_parameters_is_a_conflict(app) {
        let token = app.admin_token().await;
        app.submit(&token, ops::submit_task::SubmitTaskInput { idempotency_key: Some("k1".into()), ..task_input("a red kettle") }).await;
        let payload = app.submit(&token, ops::submit_task::SubmitTaskInput { idempotency_key: Some("k1".into()), ..task_input("a blue kettle") }).await;
        assert!(payload.task.is_none());
        assert_eq!(payload.user_errors[0].code, UserErrorCode::Conflict);
        assert_eq!(payload.user_errors[0].field, field(&["input", "idempotencyKey"]));
    }

    async fn tasks_are_listed_newest_first_a_page_at_a_time(app) {
        let token = app.admin_token().await;
        for prompt in ["first", "second", "third"] {
            app.submit(&token, task_input(prompt)).await;
        }
        let page = app.op::<ops::Tasks>(Some(&token), list(2, None, None)).await.tasks;
        let prompts: Vec<_> = page.edges.iter().map(|e| e.node.prompt.as_str()).collect();
        assert_eq!(prompts, vec!["third", "second"]);
        assert!(page.page_info.has_next_page);

        let after = page.page_info.end_cursor.clone();
        let next = app.op::<ops::Tasks>(Some(&token), list(2, after, None)).await.tasks;
        let prompts: Vec<_> = next.edges.iter().map(|e| e.node.prompt.as_str()).collect();
        assert_eq!(prompts, vec!["first"]);
        assert!(!next.page_info.has_next_page);
    }

    async fn the_list_filters_by_status_and_by_submitter(app) {
        let admin = app.admin_token().await;
        let creator = app.member(None, &[kiln::domain::account::Role::Creator]).await;
        let id = app.submit_ok(&creator, task_input("mine")).await;
        app.wait_until_finished(&creator, &id).await;
        app.submit(&admin, task_input("the admin's")).await;

        let prompts = |tasks: tasks::TasksTasks| tasks.edges.into_iter().map(|e| e.node.prompt).collect::<Vec<_>>();
        let own = app.op::<ops::Tasks>(Some(&creator), list(20, None, Some(tasks::TaskFilter { mine: true, ..filter() }))).await;
        assert_eq!(prompts(own.tasks), vec!["mine"]);
        let done = app.op::<ops::Tasks>(Some(&admin), list(20, None, Some(tasks::TaskFilter { status: Some(vec![TaskStatus::Succeeded]), ..filter() }))).await;
        assert_eq!(prompts(done.tasks), vec!["mine"]);
    }

    async fn a_task_can_be_fetched_again_through_node(app) {
        let token = app.admin_token().await;
        let id = app.submit_ok(&token, task_input("a kettle")).await;
        let data = app.op::<ops::Node>(Some(&token), ops::node::Variables { id: id.clone() }).await;
        let node = data.node.unwrap();
        assert_eq!(node.id, id);
        let ops::node::NodeNodeOn::Task(task) = node.on else { panic!("a task: {node:?}") };
        assert_eq!(task.prompt, "a kettle");
    }
}
