//! Sentences with values in them: money, lengths, sizes, counts, dates, and the
//! sentences for user errors.

use super::{Key, Lang, pick, t, terms};
use crate::model::{Attempt, DraftPolicy, ErrorCode, Kind, Money, Output, Status, Task};

/// Money as people write it: `$0.042`, `¥12.50`, else `12.50 CHF`. The amount is
/// shown exactly as the server computed it, only with thousands separated.
pub fn money(money: &Money) -> String {
    let amount = group_thousands(money.amount.trim());
    match money.currency.as_str() {
        "USD" => format!("${amount}"),
        "CNY" | "JPY" => format!("¥{amount}"),
        "EUR" => format!("€{amount}"),
        "GBP" => format!("£{amount}"),
        other => format!("{amount} {other}"),
    }
}

/// `1234567.50` → `1,234,567.50` (both languages group by thousands with commas).
fn group_thousands(amount: &str) -> String {
    let (sign, rest) = match amount.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", amount),
    };
    let (whole, fraction) = match rest.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (rest, None),
    };
    if !whole.chars().all(|c| c.is_ascii_digit()) {
        return amount.to_owned();
    }
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

pub fn committed(lang: Lang, committed: &Money) -> String {
    match lang {
        Lang::En => format!("{} committed", money(committed)),
        Lang::Zh => format!("已占用 {}", money(committed)),
    }
}

pub fn committed_of(lang: Lang, committed: &Money, budget: &Money) -> String {
    match lang {
        Lang::En => format!("{} of {} budget", money(committed), money(budget)),
        Lang::Zh => format!("{} / 预算 {}", money(committed), money(budget)),
    }
}

pub fn budget_alert(
    lang: Lang,
    campaign: &str,
    committed: &Money,
    budget: Option<&Money>,
    threshold_percent: i64,
) -> String {
    match (lang, budget) {
        (Lang::En, Some(b)) => format!(
            "Budget alert: “{campaign}” has committed {} of its {} budget, past the {threshold_percent}% alert line.",
            money(committed),
            money(b)
        ),
        (Lang::En, None) => format!(
            "Budget alert: “{campaign}” has committed {}.",
            money(committed)
        ),
        (Lang::Zh, Some(b)) => format!(
            "预算预警：活动“{campaign}”已占用 {}（预算 {}），超过 {threshold_percent}% 预警线。",
            money(committed),
            money(b)
        ),
        (Lang::Zh, None) => format!("预算预警：活动“{campaign}”已占用 {}。", money(committed)),
    }
}

/// Why some options are greyed out in draft mode.
pub fn draft_caps(lang: Lang, policy: &DraftPolicy) -> String {
    let quality = terms::quality(lang, policy.max_quality);
    let resolution = policy.max_resolution.label();
    let seconds = seconds(lang, policy.max_duration_seconds);
    match lang {
        Lang::En => format!(
            "Drafts are cheap explorations: quality up to {quality}, at most {} images, video up to {resolution} and {seconds}. Promote a good draft to get the final.",
            policy.max_count
        ),
        Lang::Zh => format!(
            "草稿用于低成本探索：质量最高为“{quality}”，最多 {} 张，视频最高 {resolution}、{seconds}。满意后可将草稿升级为终稿。",
            policy.max_count
        ),
    }
}

pub fn seconds(lang: Lang, seconds: i64) -> String {
    match lang {
        Lang::En => format!("{seconds} s"),
        Lang::Zh => format!("{seconds} 秒"),
    }
}

/// A video frame rate.
pub fn fps(lang: Lang, fps: i64) -> String {
    match lang {
        Lang::En => format!("{fps} fps"),
        Lang::Zh => format!("{fps} 帧/秒"),
    }
}

/// A media length: whole seconds where exact, else one decimal.
pub fn duration_ms(lang: Lang, ms: i64) -> String {
    let text = if ms % 1000 == 0 {
        (ms / 1000).to_string()
    } else {
        format!("{:.1}", ms as f64 / 1000.0)
    };
    match lang {
        Lang::En => format!("{text} s"),
        Lang::Zh => format!("{text} 秒"),
    }
}

/// Time since the first entry of a timeline, e.g. `+4.2 s`, `+2 min 05 s`.
pub fn elapsed(lang: Lang, ms: f64) -> String {
    let ms = ms.max(0.0);
    if ms < 60_000.0 {
        match lang {
            Lang::En => format!("+{:.1} s", ms / 1000.0),
            Lang::Zh => format!("+{:.1} 秒", ms / 1000.0),
        }
    } else {
        let total = (ms / 1000.0).round() as i64;
        let (m, s) = (total / 60, total % 60);
        match lang {
            Lang::En => format!("+{m} min {s:02} s"),
            Lang::Zh => format!("+{m} 分 {s:02} 秒"),
        }
    }
}

/// `1536x1024` → `1536×1024`.
pub fn size(size: &str) -> String {
    size.replace('x', "×")
}

fn bytes(n: f64) -> String {
    if n < 1024.0 {
        format!("{n:.0} B")
    } else if n < 1024.0 * 1024.0 {
        format!("{:.1} KB", n / 1024.0)
    } else {
        format!("{:.1} MB", n / (1024.0 * 1024.0))
    }
}

pub fn queue_position(lang: Lang, position: i64) -> String {
    match lang {
        Lang::En => format!("Position {position} in the upstream queue"),
        Lang::Zh => format!("上游队列第 {position} 位"),
    }
}

fn image_count(lang: Lang, n: i64) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 image".to_owned(),
        (Lang::En, n) => format!("{n} images"),
        (Lang::Zh, n) => format!("{n} 张"),
    }
}

/// A card's one-line summary of what was asked for.
pub fn task_summary(lang: Lang, task: &Task) -> String {
    let mut parts = Vec::new();
    if let Some(ratio) = task.aspect_ratio {
        parts.push(ratio.short());
    }
    match task.kind {
        Some(Kind::Video) => {
            if let Some(s) = task.duration_seconds {
                parts.push(seconds(lang, s));
            }
            if let Some(r) = task.resolution {
                parts.push(r.label());
            }
        }
        _ => {
            parts.push(image_count(lang, task.count));
            if let Some(q) = task.quality {
                parts.push(terms::quality(lang, q).to_owned());
            }
        }
    }
    if let Some(seed) = task.seed {
        parts.push(match lang {
            Lang::En => format!("seed {seed}"),
            Lang::Zh => format!("种子 {seed}"),
        });
    }
    if let Some(name) = &task.submitted_by {
        parts.push(match lang {
            Lang::En => format!("by {name}"),
            Lang::Zh => format!("提交人：{name}"),
        });
    }
    parts.join(" · ")
}

/// The actual cost once known, else the estimate, marked as one; a task that
/// ended without a charge says so rather than showing a price it never cost.
pub fn task_cost(lang: Lang, task: &Task) -> String {
    match (&task.actual_cost, lang) {
        (Some(cost), _) => money(cost),
        (None, _) if task.status.is_terminal() && !task.charged => {
            t(lang, Key::NotCharged).to_owned()
        }
        (None, Lang::En) => format!("≈ {}", money(&task.estimated_cost)),
        (None, Lang::Zh) => format!("约 {}", money(&task.estimated_cost)),
    }
}

/// `#1 · GIF · 854×480 · 4 s · 1.2 MB`
pub fn output_facts(lang: Lang, output: &Output) -> String {
    let mut parts = vec![
        format!("#{}", output.position + 1),
        output.format.to_ascii_uppercase(),
    ];
    if let (Some(w), Some(h)) = (output.width, output.height) {
        parts.push(format!("{w}×{h}"));
    }
    if let Some(ms) = output.duration_ms {
        parts.push(duration_ms(lang, ms));
    }
    if let Some(n) = output.byte_size {
        parts.push(bytes(n));
    }
    parts.join(" · ")
}

pub fn output_alt(lang: Lang, prompt: &str, n: i64) -> String {
    match lang {
        Lang::En => format!("Result {} for “{prompt}”", n + 1),
        Lang::Zh => format!("“{prompt}”的第 {} 个结果", n + 1),
    }
}

pub fn download_attempts(lang: Lang, attempts: i64) -> String {
    match (lang, attempts) {
        (Lang::En, 1) => "1 failed download attempt".to_owned(),
        (Lang::En, n) => format!("{n} failed download attempts"),
        (Lang::Zh, n) => format!("下载失败 {n} 次"),
    }
}

pub fn open_running_task(lang: Lang, status: Status) -> String {
    let status = terms::status(lang, status);
    match lang {
        Lang::En => format!("Open the running task ({status}) →"),
        Lang::Zh => format!("查看运行中的任务（{status}）→"),
    }
}

/// What may be attached, and what attaching does.
pub fn references_hint(lang: Lang, limit: usize, kind: Kind) -> String {
    match (lang, kind) {
        (Lang::En, Kind::Image) => {
            format!("Up to {limit} images; with one it becomes image-to-image.")
        }
        (Lang::En, Kind::Video) => {
            format!("Up to {limit}: an image (image-to-video) or a video (video-to-video).")
        }
        (Lang::Zh, Kind::Image) => format!("最多 {limit} 张图片；添加后变为图生图。"),
        (Lang::Zh, Kind::Video) => {
            format!("最多 {limit} 个：图片（图生视频）或视频（视频生视频）。")
        }
    }
}

pub fn upstream_status_hint(lang: Lang) -> String {
    t(lang, Key::UpstreamSaid)
        .trim_end_matches([':', '：'])
        .to_owned()
}

/// The wait before a retry Kiln made by itself, e.g. "after 0.5 s".
pub fn retried_after(lang: Lang, ms: i64) -> String {
    let secs = ms as f64 / 1000.0;
    let secs = if secs < 10.0 {
        format!("{secs:.1}")
    } else {
        format!("{secs:.0}")
    };
    match lang {
        Lang::En => format!("after {secs} s"),
        Lang::Zh => format!("等待 {secs} 秒后"),
    }
}

/// A live task that has not moved for longer than its model usually takes.
pub fn slow_hint(lang: Lang, usual_secs: i64, deadline_rfc3339: &str) -> String {
    let deadline = datetime(lang, deadline_rfc3339);
    match lang {
        Lang::En => format!(
            "This is taking longer than usual (about {usual_secs} s without a change). Cancel it, or wait until {deadline}: if nothing has come by then, it fails on its own."
        ),
        Lang::Zh => format!(
            "该任务比平时慢（通常约 {usual_secs} 秒内会有变化）。可以取消，或等到 {deadline}：届时仍无结果将自动失败。"
        ),
    }
}

/// A moment as the reader's language writes it, e.g. "3 May 2025, 14:05" or
/// "2025年5月3日 14:05". Falls back to the raw text if it is not a date.
pub fn datetime(lang: Lang, rfc3339: &str) -> String {
    locale_string(
        lang,
        rfc3339,
        &[("dateStyle", "medium"), ("timeStyle", "short")],
    )
}

/// A time of day to the second, for timelines where seconds matter.
pub fn time_precise(lang: Lang, rfc3339: &str) -> String {
    locale_string(lang, rfc3339, &[("timeStyle", "medium")])
}

fn locale_string(lang: Lang, rfc3339: &str, options: &[(&str, &str)]) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let object = js_sys::Object::new();
    for (name, value) in options {
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&object, &(*name).into(), &(*value).into());
    }
    date.to_locale_string(lang.tag(), &object).into()
}

pub fn attempt_count(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 attempt".to_owned(),
        (Lang::En, n) => format!("{n} attempts"),
        (Lang::Zh, n) => format!("{n} 次尝试"),
    }
}

/// What one try at a delivery got: `HTTP 200 · 35 ms`, or `No answer · 10,000 ms`
/// when the receiver never answered (the error says why).
pub fn attempt_outcome(lang: Lang, attempt: &Attempt) -> String {
    let answer = match attempt.status_code {
        Some(code) => format!("HTTP {code}"),
        None => pick(lang, "No answer", "无响应").to_owned(),
    };
    let latency = group_thousands(&attempt.latency_ms.max(0).to_string());
    match lang {
        Lang::En => format!("{answer} · {latency} ms"),
        Lang::Zh => format!("{answer} · {latency} 毫秒"),
    }
}

pub fn next_try(lang: Lang, rfc3339: &str) -> String {
    let at = time_precise(lang, rfc3339);
    match lang {
        Lang::En => format!("next try at {at}"),
        Lang::Zh => format!("下次重试 {at}"),
    }
}

/// A gateway's throttles.
pub fn provider_limits(lang: Lang, max_concurrency: i64, requests_per_minute: i64) -> String {
    match lang {
        Lang::En => format!("{max_concurrency} at once · {requests_per_minute} requests/min"),
        Lang::Zh => format!("并发 {max_concurrency} · 每分钟 {requests_per_minute} 次"),
    }
}

/// After a rotation both secrets sign for a while, so receivers can switch.
pub fn previous_secret_until(lang: Lang, rfc3339: &str) -> String {
    let at = datetime(lang, rfc3339);
    match lang {
        Lang::En => format!("The previous secret also signs until {at}."),
        Lang::Zh => format!("旧密钥在 {at} 前仍会同时签名。"),
    }
}

pub fn http_error(lang: Lang, status: u16) -> String {
    match lang {
        Lang::En => format!("The server could not handle the request (HTTP {status})."),
        Lang::Zh => format!("服务器无法处理该请求（HTTP {status}）。"),
    }
}

/// A sentence for a user error. English shows the server's own sentence, which can be
/// more specific (it names limits and lengths); Chinese uses the catalogue, because
/// the server only speaks English, and falls back to the server's sentence for codes
/// it has no words for.
pub fn user_error(lang: Lang, field: Option<&str>, code: ErrorCode, server: &str) -> String {
    if lang == Lang::En && !server.is_empty() {
        return server.to_owned();
    }
    let zh = match (field, code) {
        (_, ErrorCode::InvalidCredentials) => Some("邮箱或密码不正确。"),
        (_, ErrorCode::RateLimited) => Some("尝试次数过多，请稍后再试。"),
        (_, ErrorCode::BudgetExceeded) => Some("该任务会使活动超出预算，已被拒绝。"),
        (Some("quality"), ErrorCode::StageLimit) => {
            Some("草稿的质量受限，请升级为终稿以获得更高质量。")
        }
        (Some("count"), ErrorCode::StageLimit) => Some("草稿的张数受限，请升级为终稿以生成更多。"),
        (Some("resolution"), ErrorCode::StageLimit) => Some("草稿的分辨率受限，请升级为终稿。"),
        (Some("durationSeconds"), ErrorCode::StageLimit) => Some("草稿的时长受限，请升级为终稿。"),
        (_, ErrorCode::StageLimit) => Some("超出草稿限制，请升级为终稿。"),
        (Some("prompt"), ErrorCode::Required) => Some("请描述要生成的内容。"),
        (Some("prompt"), ErrorCode::TooLong) => Some("提示词过长，请删减后再提交。"),
        (Some("count"), _) => Some("张数超出该模型允许的范围。"),
        (Some("seed"), _) => Some("种子须为 0 到 2147483647 之间的整数。"),
        (Some("referenceAssetIds"), ErrorCode::Required) => Some("该输入方式需要合适的参考素材。"),
        (Some("referenceAssetIds"), _) => Some("参考素材不符合该任务的要求。"),
        (Some("briefId"), ErrorCode::InvalidState) => Some("该简报已关闭，不再接受新任务。"),
        (Some("budget"), _) => Some("请输入有效的金额，例如 500。"),
        (Some("name"), ErrorCode::Required) => Some("请填写名称。"),
        (Some("title"), ErrorCode::Required) => Some("请填写简报标题。"),
        (Some("email"), ErrorCode::Required) => Some("请输入邮箱。"),
        (Some("password"), ErrorCode::Required) => Some("请输入密码。"),
        (Some("callbackUrl"), ErrorCode::InvalidState) => {
            Some("团队还没有回调签名密钥；请管理员先在“设置”中创建。")
        }
        (Some("callbackUrl" | "url"), ErrorCode::Unsupported) => {
            Some("Kiln 不会调用该地址（本机、内网、链路本地或云元数据地址）。")
        }
        (Some("callbackUrl" | "url"), ErrorCode::Required) => Some("请填写地址。"),
        (Some("callbackUrl" | "url"), ErrorCode::TooLong) => Some("地址最长 2000 个字符。"),
        (Some("callbackUrl" | "url"), _) => Some("请输入有效的 http(s) 地址。"),
        (Some("eventTypes"), _) => Some("请至少选择一个事件。"),
        (Some("deliveryId"), ErrorCode::InvalidState) => Some("该端点已停用，请先启用。"),
        (Some("deliveryId"), ErrorCode::NotFound) => Some("该投递记录不存在。"),
        (Some("endpointId"), ErrorCode::NotFound) => Some("该端点不存在，可能已被删除。"),
        (Some("provider"), ErrorCode::NotFound) => Some("没有这个网关。"),
        (_, ErrorCode::ConfirmationRequired) => Some("此操作会再次计费，请先确认。"),
        (_, ErrorCode::EditRequired) => Some(
            "服务商的安全过滤拒绝了该提示词，原样重试不会成功。请修改提示词（或参考素材）后作为新任务提交。",
        ),
        (_, ErrorCode::Unsupported) => Some("所选模型不支持该设置。"),
        (_, ErrorCode::InvalidState) => Some("任务当前的状态不允许此操作。"),
        (_, ErrorCode::Required) => Some("请填写此项。"),
        (_, ErrorCode::TooLong) => Some("内容过长。"),
        (_, ErrorCode::OutOfRange) => Some("数值超出允许范围。"),
        (_, ErrorCode::Invalid) => Some("格式不正确。"),
        (_, ErrorCode::Conflict) => Some("与已有数据冲突，请重试。"),
        (_, ErrorCode::NotFound) => Some("引用的内容不存在。"),
        (_, ErrorCode::Unknown) => None,
    };
    match (lang, zh) {
        (Lang::Zh, Some(zh)) => zh.to_owned(),
        _ if !server.is_empty() => server.to_owned(),
        // Only reachable for an English UI with an empty server message.
        _ => t(lang, Key::BadResponse).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // Run in Node by wasm-bindgen-test-runner: the crate only builds for wasm32.
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn usd(amount: &str) -> Money {
        Money {
            amount: amount.to_owned(),
            currency: "USD".to_owned(),
        }
    }

    #[test]
    fn money_keeps_the_servers_digits_and_groups_thousands() {
        assert_eq!(money(&usd("0.011")), "$0.011");
        assert_eq!(money(&usd("1234567.50")), "$1,234,567.50");
        assert_eq!(money(&usd("-1000")), "$-1,000");
        assert_eq!(
            money(&Money {
                amount: "12.50".to_owned(),
                currency: "CHF".to_owned()
            }),
            "12.50 CHF"
        );
    }

    #[test]
    fn text_that_is_not_a_number_is_shown_as_it_came() {
        assert_eq!(money(&usd("n/a")), "$n/a");
    }

    #[test]
    fn lengths_drop_needless_decimals() {
        assert_eq!(duration_ms(Lang::En, 4000), "4 s");
        assert_eq!(duration_ms(Lang::Zh, 4500), "4.5 秒");
        assert_eq!(elapsed(Lang::En, 125_000.0), "+2 min 05 s");
    }

    fn attempt(status_code: Option<i64>, latency_ms: i64) -> Attempt {
        Attempt {
            at: "2026-01-01T00:00:00Z".to_owned(),
            status_code,
            latency_ms,
            response_excerpt: None,
            error: None,
            next_retry_at: None,
        }
    }

    #[test]
    fn an_attempt_reads_as_its_http_status_and_latency() {
        assert_eq!(
            attempt_outcome(Lang::En, &attempt(Some(200), 35)),
            "HTTP 200 · 35 ms"
        );
        assert_eq!(
            attempt_outcome(Lang::En, &attempt(None, 10_003)),
            "No answer · 10,003 ms"
        );
        assert_eq!(
            attempt_outcome(Lang::Zh, &attempt(Some(410), 8)),
            "HTTP 410 · 8 毫秒"
        );
        assert_eq!(attempt_count(Lang::En, 1), "1 attempt");
        assert_eq!(attempt_count(Lang::En, 3), "3 attempts");
    }

    #[test]
    fn chinese_explains_refused_callback_urls_rather_than_blaming_the_model() {
        let refused = user_error(
            Lang::Zh,
            Some("callbackUrl"),
            ErrorCode::Unsupported,
            "Kiln will not call this URL: loopback.",
        );
        assert!(refused.contains("内网"), "{refused}");
        let no_secret = user_error(
            Lang::Zh,
            Some("callbackUrl"),
            ErrorCode::InvalidState,
            "The team has no callback signing secret yet.",
        );
        assert!(no_secret.contains("回调签名密钥"), "{no_secret}");
    }

    #[test]
    fn chinese_explains_budget_and_draft_refusals_without_the_server_sentence() {
        let budget = user_error(Lang::Zh, None, ErrorCode::BudgetExceeded, "over budget");
        assert!(budget.contains("预算"), "{budget}");
        let english = user_error(
            Lang::En,
            Some("quality"),
            ErrorCode::StageLimit,
            "Drafts go up to LOW.",
        );
        assert_eq!(english, "Drafts go up to LOW.");
    }
}
