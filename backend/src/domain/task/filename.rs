//! The names downloaded files get, so that a person can file them without renaming:
//! campaign, brief, stage and position, e.g. `spring-tea_douyin-teaser_final_1.png` or
//! `春茶_抖音预告_final_1.png`.
//!
//! A name keeps letters and digits of any script (the seed teams write Chinese), turns
//! everything else into `-`, and never contains a path separator, a quote or a control
//! character. Browsers that cannot read the UTF-8 name get an ASCII fallback in which
//! each part that had no ASCII letters becomes a generic word.

use super::Stage;

/// Longest part (campaign or brief) in characters; long titles are cut, not refused.
const PART_CHARS: usize = 40;

/// What a task's files are named after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownloadName {
    campaign: String,
    brief: String,
    stage: Stage,
}

impl DownloadName {
    pub fn new(campaign: &str, brief: &str, stage: Stage) -> Self {
        Self {
            campaign: campaign.to_owned(),
            brief: brief.to_owned(),
            stage,
        }
    }

    /// The name of output `position` (counted from 0; names count from 1) with file
    /// extension `ext`: UTF-8, letters of every script kept.
    pub fn output(&self, position: i32, ext: &str) -> String {
        format!(
            "{}_{}.{}",
            self.stem(false),
            position + 1,
            slug(ext, true, "bin")
        )
    }

    /// [`Self::output`] in ASCII only, for `filename=` in `Content-Disposition`.
    pub fn output_ascii(&self, position: i32, ext: &str) -> String {
        format!(
            "{}_{}.{}",
            self.stem(true),
            position + 1,
            slug(ext, true, "bin")
        )
    }

    /// The name of the ZIP of all of a task's outputs.
    pub fn bundle(&self) -> String {
        format!("{}.zip", self.stem(false))
    }

    /// [`Self::bundle`] in ASCII only.
    pub fn bundle_ascii(&self) -> String {
        format!("{}.zip", self.stem(true))
    }

    fn stem(&self, ascii: bool) -> String {
        let stage = match self.stage {
            Stage::Draft => "draft",
            Stage::Final => "final",
        };
        format!(
            "{}_{}_{stage}",
            slug(&self.campaign, ascii, "campaign"),
            slug(&self.brief, ascii, "brief"),
        )
    }
}

/// Lower-case letters and digits kept (only ASCII ones when `ascii`), every other run
/// of characters one `-`, no `-` at either end, at most [`PART_CHARS`] characters;
/// `fallback` when nothing is left.
fn slug(text: &str, ascii: bool, fallback: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let keep = if ascii {
            c.is_ascii_alphanumeric()
        } else {
            c.is_alphanumeric()
        };
        if keep {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    let cut: String = out.chars().take(PART_CHARS).collect();
    let cut = cut.trim_end_matches('-');
    if cut.is_empty() {
        fallback.to_owned()
    } else {
        cut.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_carries_campaign_brief_stage_and_a_position_counted_from_one() {
        let name = DownloadName::new("Spring Tea", "Douyin teaser", Stage::Final);
        assert_eq!(
            name.output(0, "png"),
            "spring-tea_douyin-teaser_final_1.png"
        );
        assert_eq!(name.bundle(), "spring-tea_douyin-teaser_final.zip");
    }

    #[test]
    fn chinese_is_kept_and_the_ascii_fallback_names_the_parts_generically() {
        let name = DownloadName::new("春茶", "抖音预告", Stage::Draft);
        assert_eq!(name.output(1, "gif"), "春茶_抖音预告_draft_2.gif");
        assert_eq!(name.output_ascii(1, "gif"), "campaign_brief_draft_2.gif");
    }

    #[test]
    fn separators_quotes_and_control_characters_never_reach_a_name() {
        let name = DownloadName::new("../a/b\\c", "say \"hi\"\r\n; x", Stage::Final);
        assert_eq!(name.output(0, "png"), "a-b-c_say-hi-x_final_1.png");
    }

    #[test]
    fn mixed_titles_keep_their_ascii_letters_in_the_fallback() {
        let name = DownloadName::new("618 大促 Sale", "小红书 cover", Stage::Final);
        assert_eq!(
            name.output(0, "jpg"),
            "618-大促-sale_小红书-cover_final_1.jpg"
        );
        assert_eq!(name.output_ascii(0, "jpg"), "618-sale_cover_final_1.jpg");
    }

    #[test]
    fn a_long_title_is_cut() {
        let name = DownloadName::new(&"a".repeat(100), "b", Stage::Draft);
        assert_eq!(name.bundle(), format!("{}_b_draft.zip", "a".repeat(40)));
    }
}
