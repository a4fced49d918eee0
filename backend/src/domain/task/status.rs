//! The words of a task's life: kinds, stages, statuses and the moves between them, failure reasons, lineage, media and download states.

use crate::domain::stored_enum;

stored_enum! {
    /// What a task produces.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum TaskKind {
        Image,
        Video,
    }
}

stored_enum! {
    /// What a task starts from.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum InputType {
        TextToImage,
        ImageToImage,
        TextToVideo,
        ImageToVideo,
        VideoToVideo,
    }
}

impl InputType {
    pub(crate) fn kind(self) -> TaskKind {
        match self {
            InputType::TextToImage | InputType::ImageToImage => TaskKind::Image,
            _ => TaskKind::Video,
        }
    }
}

stored_enum! {
    /// A cheap draft to explore, or the final render.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum Stage {
        /// A cheap exploration.
        Draft,
        /// The render that gets reviewed and used.
        Final,
    }
}

stored_enum! {
    /// Where a task is in its life. `SUCCEEDED`, `FAILED` and `CANCELLED` are terminal.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum TaskStatus {
        /// Stored; waiting for a worker.
        Queued,
        /// Accepted by the upstream, which has not started it yet.
        Submitted,
        /// The upstream is generating it.
        Processing,
        Succeeded,
        Failed,
        Cancelled,
    }
}

impl TaskStatus {
    pub(crate) fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskStatus::Succeeded | TaskStatus::Failed | TaskStatus::Cancelled
        )
    }

    /// The moves a task may make. Terminal states never change; a fast upstream may
    /// finish before Kiln ever saw it processing, so `SUBMITTED → SUCCEEDED` is allowed.
    pub(crate) fn can_become(self, next: TaskStatus) -> bool {
        use TaskStatus::*;
        match self {
            Queued => matches!(next, Submitted | Failed | Cancelled),
            Submitted => matches!(next, Processing | Succeeded | Failed | Cancelled),
            Processing => matches!(next, Succeeded | Failed | Cancelled),
            Succeeded | Failed | Cancelled => false,
        }
    }
}

stored_enum! {
    /// Why a task failed.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum FailureReason {
        InvalidParams,
        ContentPolicy,
        Quota,
        QueueTimeout,
        UpstreamError,
        DownloadFailed,
        Cancelled,
    }
}

stored_enum! {
    /// Shape of an output. Dimensions follow from it and the output's long side.
    pub enum AspectRatio {
        #[strum(serialize = "1:1")]
        #[serde(rename = "1:1")]
        #[graphql(name = "SQUARE_1_1")]
        Square1x1,
        #[strum(serialize = "16:9")]
        #[serde(rename = "16:9")]
        #[graphql(name = "LANDSCAPE_16_9")]
        Landscape16x9,
        #[strum(serialize = "9:16")]
        #[serde(rename = "9:16")]
        #[graphql(name = "PORTRAIT_9_16")]
        Portrait9x16,
        #[strum(serialize = "4:3")]
        #[serde(rename = "4:3")]
        #[graphql(name = "LANDSCAPE_4_3")]
        Landscape4x3,
        #[strum(serialize = "3:4")]
        #[serde(rename = "3:4")]
        #[graphql(name = "PORTRAIT_3_4")]
        Portrait3x4,
        #[strum(serialize = "21:9")]
        #[serde(rename = "21:9")]
        #[graphql(name = "LANDSCAPE_21_9")]
        Landscape21x9,
    }
}

impl AspectRatio {
    fn ratio(self) -> (u32, u32) {
        match self {
            AspectRatio::Square1x1 => (1, 1),
            AspectRatio::Landscape16x9 => (16, 9),
            AspectRatio::Portrait9x16 => (9, 16),
            AspectRatio::Landscape4x3 => (4, 3),
            AspectRatio::Portrait3x4 => (3, 4),
            AspectRatio::Landscape21x9 => (21, 9),
        }
    }

    /// Width and height for an output whose longer side is `long_side` pixels, rounded
    /// to even numbers (video encoders require them).
    pub(crate) fn dimensions(self, long_side: u32) -> (u32, u32) {
        let (w, h) = self.ratio();
        let even = |v: u32| (v / 2 * 2).max(2);
        if w >= h {
            (even(long_side), even(long_side * h / w))
        } else {
            (even(long_side * w / h), even(long_side))
        }
    }
}

stored_enum! {
    /// What caused a recorded transition.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum TransitionCause {
        /// A member submitted, promoted or retried it.
        Submitted,
        UpstreamAccepted,
        UpstreamProgress,
        /// The upstream finished and every output was stored.
        UpstreamCompleted,
        UpstreamFailed,
        Cancelled,
        /// The task's deadline passed before a result came.
        DeadlinePassed,
        DownloadFailed,
        /// Passing failures did not pass.
        RetriesExhausted,
        /// The upstream was busy or out of reach for a moment; Kiln tried again by
        /// itself after a wait. The status stays as it was.
        UpstreamRetried,
    }
}

stored_enum! {
    /// How a task came from another.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum LineageKind {
        /// A final promoted from a draft.
        Promotion,
        /// A new attempt at a failed or cancelled task.
        Retry,
    }
}

stored_enum! {
    /// Whether a file is a still image or a moving picture.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum MediaKind {
        Image,
        Video,
    }
}

stored_enum! {
    /// Whether Kiln holds its own copy of an output.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum DownloadStatus {
        /// Not yet copied into Kiln's storage.
        Pending,
        /// Kept by Kiln; downloadable.
        Stored,
        /// The upstream link expired before Kiln could copy it.
        Expired,
        Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_states_never_change() {
        for status in [
            TaskStatus::Succeeded,
            TaskStatus::Failed,
            TaskStatus::Cancelled,
        ] {
            for &next in <TaskStatus as strum::VariantArray>::VARIANTS {
                assert!(!status.can_become(next), "{status} -> {next}");
            }
        }
    }

    #[test]
    fn a_task_moves_forward_only() {
        assert!(TaskStatus::Queued.can_become(TaskStatus::Submitted));
        assert!(TaskStatus::Submitted.can_become(TaskStatus::Processing));
        assert!(TaskStatus::Processing.can_become(TaskStatus::Succeeded));
        assert!(!TaskStatus::Processing.can_become(TaskStatus::Queued));
        assert!(!TaskStatus::Queued.can_become(TaskStatus::Processing));
    }

    #[test]
    fn dimensions_follow_the_aspect_ratio() {
        assert_eq!(AspectRatio::Square1x1.dimensions(512), (512, 512));
        assert_eq!(AspectRatio::Landscape16x9.dimensions(512), (512, 288));
        assert_eq!(AspectRatio::Portrait9x16.dimensions(512), (288, 512));
    }
}
