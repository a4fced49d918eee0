//! Every sentence the UI shows, in English and Simplified Chinese.
//!
//! Components ask for text by [`Key`] (or through the typed helpers below for
//! statuses, ratios and counts) and never spell out a string themselves, so a
//! translation cannot be forgotten in one corner of the UI: each entry in [`t`] holds
//! both languages side by side.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

use crate::model::{AspectRatio, ErrorCode, FailureReason, Status};

/// Where the chosen language is remembered between visits.
const STORAGE_KEY: &str = "kiln.lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// The BCP 47 tag, for `<html lang>` and for formatting dates.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }

    fn from_tag(tag: &str) -> Option<Self> {
        let tag = tag.to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Lang::Zh)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    AppName,
    Tagline,
    LoginTitle,
    LoginSubtitle,
    Email,
    Password,
    SignIn,
    SigningIn,
    SessionEnded,
    SignOut,
    /// The toggle's label names the language it switches *to*.
    SwitchLanguage,
    SwitchLanguageHint,
    LiveConnecting,
    Live,
    LiveReconnecting,
    NewTask,
    NewTaskHint,
    Prompt,
    PromptPlaceholder,
    AspectRatio,
    Count,
    Seed,
    SeedPlaceholder,
    Generate,
    Submitting,
    SeedInvalid,
    CountInvalid,
    Tasks,
    FilterAll,
    FilterActive,
    FilterSucceeded,
    FilterFailed,
    FilterLabel,
    NoTasks,
    NoTasksFiltered,
    LoadMore,
    Loading,
    Retry,
    LoadTasksFailed,
    Progress,
    OpenFullSize,
    SavingOutputs,
    FailedTitle,
    NetworkError,
    BadResponse,
    NoData,
    NotFound,
    BackToBoard,
}

/// The sentence for `key` in `lang`.
pub fn t(lang: Lang, key: Key) -> &'static str {
    let (en, zh) = match key {
        Key::AppName => ("Kiln", "Kiln"),
        Key::Tagline => (
            "The production desk for AI images and video.",
            "AI 图像与视频的制作工作台。",
        ),
        Key::LoginTitle => ("Sign in to Kiln", "登录 Kiln"),
        Key::LoginSubtitle => (
            "Use the e-mail and password your admin gave you.",
            "请使用管理员为你创建的邮箱和密码。",
        ),
        Key::Email => ("E-mail", "邮箱"),
        Key::Password => ("Password", "密码"),
        Key::SignIn => ("Sign in", "登录"),
        Key::SigningIn => ("Signing in…", "正在登录…"),
        Key::SessionEnded => (
            "Your session has ended. Please sign in again.",
            "登录已失效，请重新登录。",
        ),
        Key::SignOut => ("Sign out", "退出登录"),
        Key::SwitchLanguage => ("中文", "English"),
        Key::SwitchLanguageHint => ("Switch to Chinese", "切换到英文"),
        Key::LiveConnecting => ("Connecting…", "正在连接…"),
        Key::Live => ("Live", "实时"),
        Key::LiveReconnecting => ("Reconnecting…", "正在重新连接…"),
        Key::NewTask => ("New image task", "新建图像任务"),
        Key::NewTaskHint => (
            "Submitting twice by accident is safe: Kiln keeps one task per form.",
            "误点两次也没关系：同一份表单只会创建一个任务。",
        ),
        Key::Prompt => ("Prompt", "提示词"),
        Key::PromptPlaceholder => (
            "Describe the image: subject, style, lighting, composition…",
            "描述画面：主体、风格、光线、构图……",
        ),
        Key::AspectRatio => ("Aspect ratio", "画幅比例"),
        Key::Count => ("Images", "张数"),
        Key::Seed => ("Seed (optional)", "种子（可选）"),
        Key::SeedPlaceholder => ("Random", "随机"),
        Key::Generate => ("Generate", "生成"),
        Key::Submitting => ("Submitting…", "正在提交…"),
        Key::SeedInvalid => (
            "A seed is a whole number from 0 to 2147483647.",
            "种子须为 0 到 2147483647 之间的整数。",
        ),
        Key::CountInvalid => ("Ask for between 1 and 4 images.", "张数须在 1 到 4 之间。"),
        Key::Tasks => ("Tasks", "任务"),
        Key::FilterAll => ("All", "全部"),
        Key::FilterActive => ("Active", "进行中"),
        Key::FilterSucceeded => ("Succeeded", "已完成"),
        Key::FilterFailed => ("Failed", "失败"),
        Key::FilterLabel => ("Show tasks", "筛选任务"),
        Key::NoTasks => (
            "No tasks yet. Describe an image above and press Generate.",
            "还没有任务。在上方描述画面，然后点击“生成”。",
        ),
        Key::NoTasksFiltered => ("No tasks match this filter.", "没有符合筛选条件的任务。"),
        Key::LoadMore => ("Load more", "加载更多"),
        Key::Loading => ("Loading…", "加载中…"),
        Key::Retry => ("Try again", "重试"),
        Key::LoadTasksFailed => ("The tasks could not be loaded.", "任务列表加载失败。"),
        Key::Progress => ("Progress", "进度"),
        Key::OpenFullSize => ("Open full size", "查看原图"),
        Key::SavingOutputs => ("Saving the results…", "正在保存结果…"),
        Key::FailedTitle => ("Generation failed", "生成失败"),
        Key::NetworkError => (
            "Kiln could not be reached. Check the connection and try again.",
            "无法连接 Kiln，请检查网络后重试。",
        ),
        Key::BadResponse => (
            "The server's answer could not be read.",
            "无法解析服务器的响应。",
        ),
        Key::NoData => (
            "The server answered without data.",
            "服务器的响应中没有数据。",
        ),
        Key::NotFound => ("This page does not exist.", "页面不存在。"),
        Key::BackToBoard => ("Back to the tasks", "返回任务列表"),
    };
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

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

/// The short form on a card, where the word would crowd the line.
pub fn aspect_ratio_short(ratio: AspectRatio) -> &'static str {
    let (w, h) = ratio.dimensions();
    match (w, h) {
        (1, 1) => "1:1",
        (16, 9) => "16:9",
        (9, 16) => "9:16",
        (4, 3) => "4:3",
        (3, 4) => "3:4",
        _ => "21:9",
    }
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

pub fn image_count(lang: Lang, n: i64) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 image".to_owned(),
        (Lang::En, n) => format!("{n} images"),
        (Lang::Zh, n) => format!("{n} 张"),
    }
}

pub fn seed(lang: Lang, seed: i64) -> String {
    match lang {
        Lang::En => format!("seed {seed}"),
        Lang::Zh => format!("种子 {seed}"),
    }
}

pub fn submitted_by(lang: Lang, name: &str) -> String {
    match lang {
        Lang::En => format!("by {name}"),
        Lang::Zh => format!("提交人：{name}"),
    }
}

pub fn output_alt(lang: Lang, prompt: &str, n: i64) -> String {
    match lang {
        Lang::En => format!("Result {} for “{prompt}”", n + 1),
        Lang::Zh => format!("“{prompt}”的第 {} 张结果", n + 1),
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
        (Some("prompt"), ErrorCode::Required) => Some("请描述要生成的内容。"),
        (Some("prompt"), ErrorCode::TooLong) => Some("提示词过长，请删减后再提交。"),
        (Some("count"), _) => Some("张数须在 1 到 4 之间。"),
        (Some("seed"), _) => Some("种子须为 0 到 2147483647 之间的整数。"),
        (Some("email"), ErrorCode::Required) => Some("请输入邮箱。"),
        (Some("password"), ErrorCode::Required) => Some("请输入密码。"),
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

/// A moment as the reader's language writes it, e.g. "3 May 2025, 14:05" or
/// "2025年5月3日 14:05". Falls back to the raw text if it is not a date.
pub fn datetime(lang: Lang, rfc3339: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let options = js_sys::Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(lang.tag(), &options).into()
}

fn pick(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// The language in use, shared through context so that every string re-renders when
/// the header's toggle flips it.
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    /// The saved choice, else the browser's preference, else English.
    pub fn new() -> Self {
        let saved = LocalStorage::raw()
            .get_item(STORAGE_KEY)
            .ok()
            .flatten()
            .and_then(|tag| Lang::from_tag(&tag));
        let browser = || {
            web_sys::window()
                .and_then(|w| w.navigator().language())
                .and_then(|tag| Lang::from_tag(&tag))
        };
        let lang = saved.or_else(browser).unwrap_or_default();
        set_document_lang(lang);
        Self {
            lang: RwSignal::new(lang),
        }
    }

    /// Tracked: a closure that calls this re-runs when the language changes.
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    pub fn t(&self, key: Key) -> &'static str {
        t(self.lang(), key)
    }

    pub fn toggle(&self) {
        let next = self.lang.get_untracked().other();
        self.lang.set(next);
        // Losing the saved choice (private mode, full storage) only costs the default
        // on the next visit, so a failure here is not worth telling the user about.
        let _ = LocalStorage::raw().set_item(STORAGE_KEY, next.tag());
        set_document_lang(next);
    }
}

impl Default for I18n {
    fn default() -> Self {
        Self::new()
    }
}

/// Screen readers and the browser's font choice for CJK text follow `<html lang>`.
fn set_document_lang(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.tag());
    }
}

/// The language context provided by `App`.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_default()
}
