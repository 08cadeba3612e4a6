/// One folder's claimed jobs waiting for a turn: an inbox's top-level subfolder (empty: the inbox's top).
package struct QueuedFolder: Sendable, Hashable {
    package var inbox: String
    package var topFolder: String
    /// How many claimed jobs it holds, started ones included (they stay claimed until their intent is journaled).
    package var count: Int

    package init(inbox: String, topFolder: String, count: Int) {
        self.inbox = inbox
        self.topFolder = topFolder
        self.count = count
    }
}
