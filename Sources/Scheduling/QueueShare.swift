/// One queue of the fair share: an inbox, or one top-level subfolder of an inbox that shares by subfolder.
package struct QueueShare: Sendable, Hashable, CustomStringConvertible {
    /// The inbox's name.
    package var inbox: String
    /// The top-level subfolder (empty for files at the inbox's top), or nil when the inbox is one queue.
    package var subfolder: String?

    package init(inbox: String, subfolder: String? = nil) {
        self.inbox = inbox
        self.subfolder = subfolder
    }

    package var description: String {
        guard let subfolder else { return inbox }
        return subfolder.isEmpty ? "\(inbox)/." : "\(inbox)/\(subfolder)"
    }
}
