//! Never paying twice by accident: a request that would spend again on something the
//! team already has, or already paid for, is refused until the user confirms, and the
//! task records the confirmation.

use crate::helpers::{TestApp, both_engines};
use crate::ops::{
    self, SpendWarning, TaskStatus, UserErrorCode, promote_task, retry_task, submit_task,
    task_input,
};

fn promote(draft_id: &str, acknowledged: Vec<SpendWarning>) -> promote_task::Variables {
    promote_task::Variables {
        input: promote_task::PromoteTaskInput {
            draft_id: draft_id.to_owned(),
            acknowledged_warnings: acknowledged,
            ..Default::default()
        },
    }
}

fn retry(task_id: &str, acknowledged: Vec<SpendWarning>) -> retry_task::Variables {
    retry_task::Variables {
        input: retry_task::RetryTaskInput {
            task_id: task_id.to_owned(),
            acknowledged_warnings: acknowledged,
        },
    }
}

async fn task_count(app: &TestApp, token: &str) -> usize {
    app.op::<ops::Tasks>(
        Some(token),
        ops::tasks::Variables {
            first: 100,
            after: None,
            filter: None,
        },
    )
    .await
    .tasks
    .edges
    .len()
}

both_engines! {
    async fn resubmitting_what_succeeded_today_asks_first_and_records_the_yes(app) {
        let token = app.admin_token().await;
        let input = submit_task::SubmitTaskInput { seed: Some(7), ..task_input("a teapot on a shelf") };
        let first = app.submit_ok(&token, input.clone()).await;
        assert_eq!(app.wait_until_finished(&token, &first).await.status, TaskStatus::Succeeded);

        // The composer's estimate says so while the user types.
        let estimate = app.op::<ops::EstimateTask>(Some(&token), ops::estimate_task::Variables { input: ops::recast(&submit_task::SubmitTaskInput { brief_id: app.brief(&token).await, ..input.clone() }) }).await.estimate_task;
        assert_eq!(estimate.succeeded_recently.map(|t| t.id).as_deref(), Some(first.as_str()));

        let asked = app.submit(&token, input.clone()).await;
        assert!(asked.task.is_none(), "nothing is queued before the user confirms");
        assert_eq!(asked.user_errors.len(), 1);
        assert_eq!(asked.user_errors[0].code, UserErrorCode::ConfirmationRequired);
        assert_eq!(asked.warnings.len(), 1);
        assert_eq!(asked.warnings[0].warning, SpendWarning::SucceededRecently);
        assert_eq!(asked.warnings[0].task.id, first, "the warning points at what the team has");
        assert_eq!(task_count(app, &token).await, 1);

        let confirmed = app.submit(&token, submit_task::SubmitTaskInput { acknowledged_warnings: vec![SpendWarning::SucceededRecently], ..input }).await;
        assert_eq!(confirmed.user_errors, vec![]);
        let again = confirmed.task.unwrap().id;
        assert_ne!(again, first);
        assert_eq!(app.task(&token, &again).await.acknowledged_warnings, vec![SpendWarning::SucceededRecently]);
    }

    async fn different_parameters_or_a_failed_original_ask_nothing(app) {
        let token = app.admin_token().await;
        let ok = app.submit_ok(&token, task_input("a teapot")).await;
        app.wait_until_finished(&token, &ok).await;
        // Another prompt is another request.
        let other = app.submit_ok(&token, task_input("a teapot, side view")).await;
        assert_eq!(app.task(&token, &other).await.acknowledged_warnings, vec![]);
        // A failure gave the team nothing: submitting it again asks nothing.
        let failed = app.submit_ok(&token, task_input("a kettle #fail:upstream_error")).await;
        assert_eq!(app.wait_until_finished(&token, &failed).await.status, TaskStatus::Failed);
        app.submit_ok(&token, task_input("a kettle #fail:upstream_error")).await;
    }

    async fn promoting_a_draft_again_with_the_same_settings_asks_first(app) {
        let token = app.admin_token().await;
        let draft = app.submit_ok(&token, task_input("a red kettle")).await;
        app.wait_until_finished(&token, &draft).await;
        let first = app.op::<ops::PromoteTask>(Some(&token), promote(&draft, vec![])).await.promote_task;
        assert_eq!(first.user_errors, vec![]);
        let first = first.task.unwrap().id;
        // While the final runs, promoting again returns it (nothing spent, nothing asked).
        let live = app.op::<ops::PromoteTask>(Some(&token), promote(&draft, vec![])).await.promote_task;
        assert_eq!(live.task.unwrap().id, first);
        assert_eq!(app.wait_until_finished(&token, &first).await.status, TaskStatus::Succeeded);

        let asked = app.op::<ops::PromoteTask>(Some(&token), promote(&draft, vec![])).await.promote_task;
        assert!(asked.task.is_none());
        assert_eq!(asked.user_errors[0].code, UserErrorCode::ConfirmationRequired);
        assert_eq!(asked.user_errors[0].field.as_deref(), Some(&["input".to_owned(), "acknowledgedWarnings".to_owned()][..]));
        assert_eq!((asked.warnings[0].warning.clone(), asked.warnings[0].task.id.as_str()), (SpendWarning::FinalExists, first.as_str()));

        let confirmed = app.op::<ops::PromoteTask>(Some(&token), promote(&draft, vec![SpendWarning::FinalExists])).await.promote_task;
        assert_eq!(confirmed.user_errors, vec![]);
        let second = confirmed.task.unwrap();
        assert_ne!(second.id, first);
        assert_eq!(second.acknowledged_warnings, vec![SpendWarning::FinalExists]);
    }

    async fn retrying_a_task_the_upstream_charged_for_asks_first(app) {
        let token = app.admin_token().await;
        let id = app.submit_ok(&token, task_input("a kettle #fail:download")).await;
        let failed = app.wait_until_finished(&token, &id).await;
        assert_eq!(failed.failure_reason, Some(ops::FailureReason::DownloadFailed));
        assert!(failed.charged);

        let asked = app.op::<ops::RetryTask>(Some(&token), retry(&id, vec![])).await.retry_task;
        assert!(asked.task.is_none());
        assert_eq!(asked.user_errors[0].code, UserErrorCode::ConfirmationRequired);
        assert_eq!((asked.warnings[0].warning.clone(), asked.warnings[0].task.id.as_str()), (SpendWarning::AlreadyCharged, id.as_str()));
        assert_eq!(task_count(app, &token).await, 1);

        let confirmed = app.op::<ops::RetryTask>(Some(&token), retry(&id, vec![SpendWarning::AlreadyCharged])).await.retry_task;
        assert_eq!(confirmed.user_errors, vec![]);
        assert_eq!(confirmed.task.unwrap().acknowledged_warnings, vec![SpendWarning::AlreadyCharged]);
    }

    async fn a_task_refused_by_the_safety_filter_is_edited_not_retried(app) {
        let token = app.admin_token().await;
        let id = app.submit_ok(&token, task_input("a kettle #fail:content_policy")).await;
        assert_eq!(app.wait_until_finished(&token, &id).await.failure_reason, Some(ops::FailureReason::ContentPolicy));
        let refused = app.op::<ops::RetryTask>(Some(&token), retry(&id, vec![])).await.retry_task;
        assert!(refused.task.is_none());
        assert_eq!(refused.user_errors[0].code, UserErrorCode::EditRequired);
        assert_eq!(task_count(app, &token).await, 1, "nothing was spent on a retry that cannot succeed");
    }
}
