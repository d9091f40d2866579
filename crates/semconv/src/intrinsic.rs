//! Span intrinsics: the fields every span has that are not attributes (`name`, `duration`,
//! `status`, ...). Hand-written, unlike the attribute table.

use std::fmt;

/// A field of a span that is not an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intrinsic {
    /// The intrinsic's name, e.g. `duration` or `status.message`.
    pub name: &'static str,
    /// The type of its value.
    pub ty: IntrinsicType,
    /// A one-sentence description.
    pub brief: &'static str,
}

/// The type of an intrinsic's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntrinsicType {
    /// A string.
    String,
    /// A length of time (e.g. `250ms`).
    Duration,
    /// A point in time.
    Timestamp,
    /// A closed enum: only the listed values exist.
    Enum(&'static [&'static str]),
    /// The span's list of events.
    EventList,
    /// The span's list of links.
    LinkList,
}

impl IntrinsicType {
    /// The type's name for messages, e.g. `duration` or `enum`.
    pub fn name(&self) -> &'static str {
        match self {
            IntrinsicType::String => "string",
            IntrinsicType::Duration => "duration",
            IntrinsicType::Timestamp => "timestamp",
            IntrinsicType::Enum(_) => "enum",
            IntrinsicType::EventList => "list of events",
            IntrinsicType::LinkList => "list of links",
        }
    }
}

impl fmt::Display for IntrinsicType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The values of the `status` intrinsic.
pub const STATUS_VALUES: &[&str] = &["ok", "error", "unset"];

/// The values of the `kind` intrinsic.
pub const KIND_VALUES: &[&str] = &["server", "client", "producer", "consumer", "internal"];

/// All intrinsics, sorted by name.
static INTRINSICS: &[Intrinsic] = &[
    Intrinsic {
        name: "duration",
        ty: IntrinsicType::Duration,
        brief: "The time between the span's start and end.",
    },
    Intrinsic {
        name: "end",
        ty: IntrinsicType::Timestamp,
        brief: "When the span ended.",
    },
    Intrinsic {
        name: "events",
        ty: IntrinsicType::EventList,
        brief: "The events recorded on the span, in time order.",
    },
    Intrinsic {
        name: "kind",
        ty: IntrinsicType::Enum(KIND_VALUES),
        brief: "The span's kind: server, client, producer, consumer or internal.",
    },
    Intrinsic {
        name: "links",
        ty: IntrinsicType::LinkList,
        brief: "The links from the span to other spans.",
    },
    Intrinsic {
        name: "name",
        ty: IntrinsicType::String,
        brief: "The span's name, e.g. `GET /users/{id}`.",
    },
    Intrinsic {
        name: "parent_id",
        ty: IntrinsicType::String,
        brief: "The span ID of the span's parent (hex), empty for a root span.",
    },
    Intrinsic {
        name: "span_id",
        ty: IntrinsicType::String,
        brief: "The span's ID (16 hex digits).",
    },
    Intrinsic {
        name: "start",
        ty: IntrinsicType::Timestamp,
        brief: "When the span started.",
    },
    Intrinsic {
        name: "status",
        ty: IntrinsicType::Enum(STATUS_VALUES),
        brief: "The span's status code: ok, error or unset.",
    },
    Intrinsic {
        name: "status.message",
        ty: IntrinsicType::String,
        brief: "The span's status message (same as `status_message`).",
    },
    Intrinsic {
        name: "status_message",
        ty: IntrinsicType::String,
        brief: "The span's status message, usually set only when the status is error.",
    },
    Intrinsic {
        name: "trace_id",
        ty: IntrinsicType::String,
        brief: "The ID of the trace the span belongs to (32 hex digits).",
    },
];

/// The intrinsic called `name`, if there is one. `service.name` is not an intrinsic: it is a
/// resource attribute, found by [`lookup`](crate::lookup).
pub fn intrinsic(name: &str) -> Option<&'static Intrinsic> {
    INTRINSICS
        .binary_search_by(|i| i.name.cmp(name))
        .ok()
        .map(|i| &INTRINSICS[i])
}

/// All intrinsics, sorted by name.
pub fn intrinsics() -> &'static [Intrinsic] {
    INTRINSICS
}
