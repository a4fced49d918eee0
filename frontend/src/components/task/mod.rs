//! The task page's widgets.

pub mod lineage;
pub mod outputs;
pub mod promote_form;
pub mod slow_hint;
pub mod task_facts;
pub mod task_head;
pub mod timeline;
