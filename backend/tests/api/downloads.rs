//! Downloads a person can file: names after campaign, brief, stage and position (ASCII
//! and Chinese, read from the headers as a browser reads them), a task's outputs as one
//! ZIP (read back with the `zip` crate), and signed links that expire and are renewed.

use std::io::{Cursor, Read};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use kiln::domain::account::Role;
use sha2::{Digest, Sha256};

use crate::helpers::{Engine, TestApp, both_engines};
use crate::ops::{self, Stage, submit_task::SubmitTaskInput, task_downloads, task_input};

/// A `Content-Disposition` header as a client reads it: the disposition type, the
/// plain `filename`, and the RFC 5987 `filename*` decoded from UTF-8.
#[derive(Debug)]
struct Disposition {
    kind: String,
    filename: Option<String>,
    filename_star: Option<String>,
}

fn disposition(response: &reqwest::Response) -> Disposition {
    let header = response.headers()["content-disposition"]
        .to_str()
        .expect("an ASCII header");
    let mut parts = header.split(';').map(str::trim);
    let kind = parts.next().unwrap_or_default().to_ascii_lowercase();
    let (mut filename, mut filename_star) = (None, None);
    for part in parts {
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "filename" => filename = Some(value.trim().trim_matches('"').to_owned()),
            "filename*" => {
                let (charset, rest) = value.split_once('\'').expect("charset'lang'value");
                assert!(charset.eq_ignore_ascii_case("utf-8"), "{header}");
                let (_language, encoded) = rest.split_once('\'').expect("charset'lang'value");
                let decoded = percent_encoding::percent_decode_str(encoded)
                    .decode_utf8()
                    .expect("UTF-8");
                filename_star = Some(decoded.into_owned());
            }
            _ => {}
        }
    }
    Disposition {
        kind,
        filename,
        filename_star,
    }
}

/// A finished task of `count` outputs in a new campaign and brief of these names.
async fn task_in(
    app: &TestApp,
    token: &str,
    campaign: &str,
    brief: &str,
    stage: Stage,
    count: i64,
) -> task_downloads::TaskDownloadsTask {
    let payload = app.create_campaign(token, campaign, None, None).await;
    let campaign_id = payload.campaign.expect("a campaign").id;
    let brief_id = app.create_brief(token, &campaign_id, brief).await;
    let input = SubmitTaskInput {
        brief_id,
        stage,
        count: Some(count),
        ..task_input("a kettle on a table")
    };
    let id = app.submit_ok(token, input).await;
    app.wait_until_finished(token, &id).await;
    downloads(app, token, &id).await
}

async fn downloads(app: &TestApp, token: &str, id: &str) -> task_downloads::TaskDownloadsTask {
    app.op::<ops::TaskDownloads>(Some(token), task_downloads::Variables { id: id.to_owned() })
        .await
        .task
        .expect("the task is visible")
}

/// The `expires` parameter of a signed link.
fn expires_of(url: &str) -> i64 {
    url.split("expires=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .and_then(|n| n.parse().ok())
        .expect("a signed link")
}

both_engines! {
    async fn an_output_downloads_as_an_attachment_named_after_campaign_brief_stage_and_position(app) {
        let token = app.admin_token().await;
        let task = task_in(app, &token, "Spring Tea", "Douyin teaser", Stage::Draft, 2).await;

        for (output, expected) in task.outputs.iter().zip([
            "spring-tea_douyin-teaser_draft_1.png",
            "spring-tea_douyin-teaser_draft_2.png",
        ]) {
            let response = app.get(output.download_url.as_deref().unwrap(), None).await;
            assert_eq!(response.status(), 200);
            let named = disposition(&response);
            assert_eq!(named.kind, "attachment");
            assert_eq!(named.filename.as_deref(), Some(expected));
            assert_eq!(named.filename_star.as_deref(), Some(expected));
            let bytes = response.bytes().await.unwrap();
            assert_eq!(hex::encode(Sha256::digest(&bytes)), output.checksum_sha256.as_deref().unwrap());

            // The link a page shows the picture with opens it in place, under the same name.
            let shown = app.get(output.url.as_deref().unwrap(), None).await;
            let named = disposition(&shown);
            assert_eq!(named.kind, "inline");
            assert_eq!(named.filename_star.as_deref(), Some(expected));
        }
    }

    async fn chinese_names_are_kept_in_utf8_with_an_ascii_fallback(app) {
        let token = app.admin_token().await;
        let task = task_in(app, &token, "春茶", "抖音预告", Stage::Final, 1).await;

        let response = app.get(task.outputs[0].download_url.as_deref().unwrap(), None).await;
        assert_eq!(response.status(), 200);
        let named = disposition(&response);
        assert_eq!(named.filename_star.as_deref(), Some("春茶_抖音预告_final_1.png"));
        assert_eq!(named.filename.as_deref(), Some("campaign_brief_final_1.png"));
    }

    async fn a_tasks_outputs_download_as_one_zip_of_the_same_names_and_bytes(app) {
        let token = app.admin_token().await;
        let task = task_in(app, &token, "春茶 Spring", "Hero / 主图", Stage::Draft, 2).await;
        let zip_url = task.outputs_zip_url.as_deref().expect("a ZIP once outputs are stored");

        // The signed link alone opens it, as a browser's download does.
        let response = app.get(zip_url, None).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/zip");
        let named = disposition(&response);
        assert_eq!(named.kind, "attachment");
        assert_eq!(named.filename_star.as_deref(), Some("春茶-spring_hero-主图_draft.zip"));
        assert_eq!(named.filename.as_deref(), Some("spring_hero_draft.zip"));

        let bytes = response.bytes().await.unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("a ZIP");
        assert_eq!(archive.len(), 2);
        for output in &task.outputs {
            let expected = format!("春茶-spring_hero-主图_draft_{}.png", output.position + 1);
            let mut entry = archive.by_name(&expected).unwrap_or_else(|_| panic!("{expected} in the ZIP"));
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            assert_eq!(hex::encode(Sha256::digest(&content)), output.checksum_sha256.as_deref().unwrap());
        }
    }

    async fn a_zip_is_for_the_tasks_team_only_and_its_link_opens_nothing_else(app) {
        let owner = app.admin_token().await;
        let task = task_in(app, &owner, "Spring", "Hero", Stage::Draft, 1).await;
        let zip_url = task.outputs_zip_url.as_deref().unwrap();
        let bare = zip_url.split('?').next().unwrap();
        let task_uuid = bare.split('/').nth(3).unwrap();

        // A member of the team may fetch it with a token; another team sees nothing.
        assert_eq!(app.get(bare, Some(&owner)).await.status(), 200);
        let stranger = app.member(Some("Other Team"), &[Role::Creator]).await;
        assert_eq!(app.get(bare, Some(&stranger)).await.status(), 404);
        assert_eq!(app.get(bare, None).await.status(), 401);

        // Its signature is bound to the ZIP and the expiry: not to a file, nor to later.
        let query = zip_url.split_once('?').unwrap().1;
        assert_eq!(app.get(&format!("/files/{task_uuid}/original?{query}"), None).await.status(), 403);
        let extended = zip_url.replace("expires=", "expires=9");
        assert_eq!(app.get(&extended, None).await.status(), 403);
        // An output's signature does not open the ZIP.
        let output_query = task.outputs[0].download_url.as_deref().unwrap().split_once('?').unwrap().1;
        assert_eq!(app.get(&format!("{bare}?{output_query}"), None).await.status(), 403);
    }

    async fn links_say_when_they_expire_and_work_until_then(app) {
        let token = app.admin_token().await;
        let task = task_in(app, &token, "Spring", "Hero", Stage::Draft, 1).await;
        let output = &task.outputs[0];

        let expires_at: DateTime<Utc> = output.links_expire_at.parse().expect("RFC 3339");
        let left = expires_at - Utc::now();
        assert!(left >= chrono::Duration::minutes(59) && left <= chrono::Duration::hours(2), "{left}");
        for url in [output.url.as_deref(), output.download_url.as_deref(), output.thumbnail_url.as_deref(), task.outputs_zip_url.as_deref()] {
            assert_eq!(expires_of(url.unwrap()), expires_at.timestamp());
        }
    }
}

/// With links that live two to four seconds, a link stops working and asking the API
/// again gives one that works: what the task page's "renew links" does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_link_is_refused_and_the_api_renews_it() {
    let app = TestApp::spawn_with(Engine::Sqlite, |config| config.download_link_secs = 2).await;
    let token = app.admin_token().await;
    let task = task_in(&app, &token, "Spring", "Hero", Stage::Draft, 1).await;
    let old = task.outputs[0].download_url.clone().unwrap();
    let old_zip = task.outputs_zip_url.clone().unwrap();

    // Links are cut on multiples of two seconds here, so this one lasts at most four.
    let started = Instant::now();
    while app.get(&old, None).await.status() != 403 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "a link of at most four seconds still works after fifteen"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.get(&old_zip, None).await.status(), 403);

    let renewed = downloads(&app, &token, &task.id).await;
    let fresh = renewed.outputs[0].download_url.as_deref().unwrap();
    assert!(expires_of(fresh) > expires_of(&old));
    assert_eq!(app.get(fresh, None).await.status(), 200);
    let fresh_zip = renewed.outputs_zip_url.as_deref().unwrap();
    assert_eq!(app.get(fresh_zip, None).await.status(), 200);
    app.stop().await;
}
