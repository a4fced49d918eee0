//! The names of the API's values: statuses, stages, qualities, causes, …

use super::{Lang, pick};
use crate::model::{
    AspectRatio, Audio, CameraMotion, DeliveryPhase, DisabledCode, DownloadStatus, EventType,
    FailureReason, InputType, KeySource, Kind, LicenceStatus, LineageKind, Quality, Stage, Status,
    TransitionCause, VideoDialect,
};

pub fn status(lang: Lang, status: Status) -> &'static str {
    let (en, zh) = match status {
        Status::Queued => ("Queued", "排队中"),
        Status::Submitted => ("Submitted", "已提交"),
        Status::Processing => ("Processing", "生成中"),
        Status::Succeeded => ("Succeeded", "已完成"),
        Status::Failed => ("Failed", "失败"),
        Status::Cancelled => ("Cancelled", "已取消"),
        Status::Unknown => ("Unknown", "未知"),
    };
    pick(lang, en, zh)
}

pub fn stage(lang: Lang, stage: Stage) -> &'static str {
    let (en, zh) = match stage {
        Stage::Draft => ("Draft", "草稿"),
        Stage::Final => ("Final", "终稿"),
    };
    pick(lang, en, zh)
}

pub fn kind(lang: Lang, kind: Kind) -> &'static str {
    let (en, zh) = match kind {
        Kind::Image => ("Image", "图像"),
        Kind::Video => ("Video", "视频"),
    };
    pick(lang, en, zh)
}

pub fn input_type(lang: Lang, input: InputType) -> &'static str {
    let (en, zh) = match input {
        InputType::TextToImage => ("Text → image", "文生图"),
        InputType::ImageToImage => ("Image → image", "图生图"),
        InputType::TextToVideo => ("Text → video", "文生视频"),
        InputType::ImageToVideo => ("Image → video", "图生视频"),
        InputType::VideoToVideo => ("Video → video", "视频生视频"),
    };
    pick(lang, en, zh)
}

pub fn aspect_ratio(lang: Lang, ratio: AspectRatio) -> &'static str {
    let (en, zh) = match ratio {
        AspectRatio::Square1x1 => ("1:1 Square", "1:1 方形"),
        AspectRatio::Landscape16x9 => ("16:9 Landscape", "16:9 横版"),
        AspectRatio::Portrait9x16 => ("9:16 Portrait", "9:16 竖版"),
        AspectRatio::Landscape4x3 => ("4:3 Landscape", "4:3 横版"),
        AspectRatio::Portrait3x4 => ("3:4 Portrait", "3:4 竖版"),
        AspectRatio::Landscape21x9 => ("21:9 Cinema", "21:9 超宽"),
    };
    pick(lang, en, zh)
}

pub fn quality(lang: Lang, quality: Quality) -> &'static str {
    let (en, zh) = match quality {
        Quality::Low => ("Low", "低"),
        Quality::Medium => ("Medium", "中"),
        Quality::High => ("High", "高"),
    };
    pick(lang, en, zh)
}

pub fn camera_motion(lang: Lang, motion: CameraMotion) -> &'static str {
    let (en, zh) = match motion {
        CameraMotion::Static => ("Static", "固定机位"),
        CameraMotion::PanLeft => ("Pan left", "左摇"),
        CameraMotion::PanRight => ("Pan right", "右摇"),
        CameraMotion::TiltUp => ("Tilt up", "上仰"),
        CameraMotion::TiltDown => ("Tilt down", "下俯"),
        CameraMotion::ZoomIn => ("Zoom in", "推镜"),
        CameraMotion::ZoomOut => ("Zoom out", "拉镜"),
        CameraMotion::Orbit => ("Orbit", "环绕"),
        CameraMotion::Handheld => ("Handheld", "手持"),
    };
    pick(lang, en, zh)
}

pub fn audio(lang: Lang, audio: Audio) -> &'static str {
    let (en, zh) = match audio {
        Audio::Mute => ("Silent", "无声"),
        Audio::WithAudio => ("With audio", "有声"),
    };
    pick(lang, en, zh)
}

pub fn licence(lang: Lang, licence: LicenceStatus) -> &'static str {
    let (en, zh) = match licence {
        LicenceStatus::Licensed => ("Licensed", "已授权"),
        LicenceStatus::Owned => ("Owned", "自有版权"),
        LicenceStatus::Pending => ("Licence pending", "授权待定"),
        LicenceStatus::Unknown => ("Licence unknown", "授权未知"),
        LicenceStatus::Restricted => ("Restricted", "受限使用"),
    };
    pick(lang, en, zh)
}

pub fn failure_reason(lang: Lang, reason: FailureReason) -> &'static str {
    let (en, zh) = match reason {
        FailureReason::InvalidParams => ("The parameters were refused", "参数被拒绝"),
        FailureReason::ContentPolicy => ("Blocked by the content policy", "被内容政策拦截"),
        FailureReason::Quota => ("The upstream quota is used up", "上游额度已用完"),
        FailureReason::QueueTimeout => ("Timed out in the queue", "排队超时"),
        FailureReason::UpstreamError => ("The upstream service failed", "上游服务出错"),
        FailureReason::DownloadFailed => ("The result could not be downloaded", "结果下载失败"),
        FailureReason::Cancelled => ("Cancelled", "已取消"),
        FailureReason::Unknown => ("Failed", "失败"),
    };
    pick(lang, en, zh)
}

/// What to do about a failure, in a sentence: the next step a non-engineer can take.
pub fn failure_advice(lang: Lang, reason: FailureReason) -> &'static str {
    let (en, zh) = match reason {
        FailureReason::InvalidParams => (
            "The provider refused these settings. Change the model or the settings, then submit again.",
            "服务商拒绝了这些参数。请更换模型或调整设置后重新提交。",
        ),
        FailureReason::ContentPolicy => (
            "Reword the prompt: the provider's safety filter refused it, and the same prompt would be refused again.",
            "请修改提示词：服务商的安全过滤拒绝了它，原样重试仍会被拒绝。",
        ),
        FailureReason::Quota => (
            "Ask an admin: the gateway's quota or balance is used up. Retry once it is topped up.",
            "请联系管理员：网关的额度或余额已用完，充值后再重试。",
        ),
        FailureReason::QueueTimeout => (
            "No result came before the task's deadline, and nothing was charged. Retry it; if it keeps happening, try another model or a quieter time.",
            "在截止时间前没有返回结果，未产生费用。请重试；如果反复出现，请换一个模型或稍后再试。",
        ),
        FailureReason::UpstreamError => (
            "The provider failed. Retry it; if it fails again, ask an admin to check the gateway (the details below say what happened).",
            "服务商处理失败。请重试；如果再次失败，请联系管理员检查网关（下方详情说明了发生了什么）。",
        ),
        FailureReason::DownloadFailed => (
            "The result was made and charged, but Kiln could not fetch it. A retry makes it — and pays for it — again.",
            "结果已生成并已计费，但 Kiln 未能下载。重试会重新生成并再次计费。",
        ),
        FailureReason::Cancelled => (
            "It was cancelled. Retry it to run it again.",
            "任务已取消。可以重试以再次运行。",
        ),
        FailureReason::Unknown => (
            "Retry it, or see the details below.",
            "请重试，或查看下方详情。",
        ),
    };
    pick(lang, en, zh)
}

pub fn cause(lang: Lang, cause: &TransitionCause) -> String {
    let (en, zh) = match cause {
        TransitionCause::Submitted => ("Submitted by a member", "成员提交"),
        TransitionCause::UpstreamAccepted => ("Accepted by the upstream", "上游已接收"),
        TransitionCause::UpstreamProgress => ("Upstream reported progress", "上游报告进度"),
        TransitionCause::UpstreamCompleted => ("Finished and stored", "已完成并保存"),
        TransitionCause::UpstreamFailed => ("The upstream failed it", "上游返回失败"),
        TransitionCause::Cancelled => ("Cancelled", "已取消"),
        TransitionCause::DeadlinePassed => ("The deadline passed", "超过截止时间"),
        TransitionCause::DownloadFailed => ("The download failed", "下载失败"),
        TransitionCause::RetriesExhausted => ("Retries used up", "重试次数已用尽"),
        TransitionCause::UpstreamRetried => (
            "The upstream was busy; Kiln tried again",
            "上游繁忙，Kiln 已自动重试",
        ),
        TransitionCause::Other(raw) => return raw.clone(),
    };
    pick(lang, en, zh).to_owned()
}

pub fn download_status(lang: Lang, status: DownloadStatus) -> &'static str {
    let (en, zh) = match status {
        DownloadStatus::Pending => ("Saving…", "保存中…"),
        DownloadStatus::Stored => ("Stored", "已保存"),
        DownloadStatus::Expired => ("Link expired", "链接已过期"),
        DownloadStatus::Failed => ("Download failed", "下载失败"),
    };
    pick(lang, en, zh)
}

pub fn lineage(lang: Lang, kind: LineageKind) -> &'static str {
    let (en, zh) = match kind {
        LineageKind::Promotion => ("Final", "终稿"),
        LineageKind::Retry => ("Retry", "重试"),
    };
    pick(lang, en, zh)
}

pub fn role(lang: Lang, role: &str) -> String {
    let (en, zh) = match role {
        "ADMIN" => ("Admin", "管理员"),
        "CREATOR" => ("Creator", "创作者"),
        "REVIEWER" => ("Reviewer", "审核员"),
        other => return other.to_owned(),
    };
    pick(lang, en, zh).to_owned()
}

pub fn delivery_phase(lang: Lang, phase: DeliveryPhase) -> &'static str {
    let (en, zh) = match phase {
        DeliveryPhase::Sending => ("Sending", "发送中"),
        DeliveryPhase::Retrying => ("Retrying", "等待重试"),
        DeliveryPhase::Delivered => ("Delivered", "已送达"),
        DeliveryPhase::Failed => ("Failed", "失败"),
        DeliveryPhase::Unknown => ("Unknown", "未知"),
    };
    pick(lang, en, zh)
}

/// Why an endpoint is off. English shows the server's sentence, which can say more (how
/// many attempts); Chinese has one per code, and falls back to the server's for a code
/// this build does not know.
pub fn endpoint_disabled(lang: Lang, code: Option<DisabledCode>, server: &str) -> String {
    if lang == Lang::En && !server.is_empty() {
        return server.to_owned();
    }
    let (en, zh) = match code {
        Some(DisabledCode::Gone) => (
            "The endpoint answered 410 Gone.",
            "端点返回 410 Gone，已自动停用。",
        ),
        Some(DisabledCode::KeptFailing) => (
            "Deliveries kept failing until the retries ran out.",
            "投递持续失败，重试次数用尽后已自动停用。",
        ),
        Some(DisabledCode::ByAdmin) => ("Disabled by an admin.", "已由管理员停用。"),
        None => return server.to_owned(),
    };
    pick(lang, en, zh).to_owned()
}

pub fn event_type(lang: Lang, event: EventType) -> &'static str {
    let (en, zh) = match event {
        EventType::TaskQueued => ("Task queued", "任务排队"),
        EventType::TaskProcessing => ("Task processing", "任务生成中"),
        EventType::TaskSucceeded => ("Task succeeded", "任务完成"),
        EventType::TaskFailed => ("Task failed", "任务失败"),
        EventType::TaskCancelled => ("Task cancelled", "任务取消"),
    };
    pick(lang, en, zh)
}

pub fn key_source(lang: Lang, source: KeySource) -> &'static str {
    let (en, zh) = match source {
        KeySource::Kiln => (
            "Set in Kiln (stored in its database)",
            "已在 Kiln 中设置（保存在数据库）",
        ),
        KeySource::Config => (
            "From the configuration (key file or environment variable)",
            "来自配置（密钥文件或环境变量）",
        ),
        KeySource::Missing => (
            "No key: tasks sent here will fail",
            "未设置密钥：发往此处的任务将失败",
        ),
    };
    pick(lang, en, zh)
}

pub fn video_dialect(lang: Lang, dialect: VideoDialect) -> &'static str {
    let (en, zh) = match dialect {
        VideoDialect::OpenAi => (
            "OpenAI videos (/v1/videos)",
            "OpenAI 视频接口（/v1/videos）",
        ),
        VideoDialect::Task => (
            "Task style (/v1/video/generations)",
            "任务式接口（/v1/video/generations）",
        ),
    };
    pick(lang, en, zh)
}

#[cfg(test)]
mod tests {
    use super::*;
    // Run in Node by wasm-bindgen-test-runner: the crate only builds for wasm32.
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn why_an_endpoint_is_off_is_said_in_each_language() {
        let server = "Deliveries kept failing: gave up after 10 attempts.";
        let code = Some(DisabledCode::KeptFailing);
        assert_eq!(endpoint_disabled(Lang::En, code, server), server);
        assert_eq!(
            endpoint_disabled(Lang::Zh, code, server),
            "投递持续失败，重试次数用尽后已自动停用。"
        );
        // A code this build does not know: the server's sentence.
        assert_eq!(endpoint_disabled(Lang::Zh, None, server), server);
    }
}
