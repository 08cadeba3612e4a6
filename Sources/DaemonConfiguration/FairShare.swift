/// How an inbox's turns are shared: the inbox as one queue, or one queue per top-level subfolder.
///
/// A shared inbox often has one subfolder per person or tool (`alice/`, `render-farm/`); with `.subfolder`, a
/// thousand files dropped into one of them do not hold up a single file dropped into another.
public enum FairShare: String, Sendable, Hashable, CaseIterable {
    /// The inbox's jobs form one queue.
    case inbox
    /// Each top-level subfolder's jobs form a queue of its own (files at the inbox's top level form one too).
    case subfolder
}
