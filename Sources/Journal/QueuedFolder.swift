/// One folder's claimed jobs waiting for a turn: an inbox's top-level subfolder (empty: the inbox's top).
package struct QueuedFolder: Sendable, Hashable {
    package var inbox: String
    package var topFolder: String

    package init(inbox: String, topFolder: String) {
        self.inbox = inbox
        self.topFolder = topFolder
    }
}
