package import DaemonConfiguration
package import FileSystem
package import Foundation
import StrictJSON

/// `facedrop pause` and `facedrop resume`: the `PAUSE` file in an inbox (``InboxConfiguration/pauseFile``).
///
/// The file is the whole interface, so any tool that can write to the inbox can pause it too (`touch PAUSE`), and a
/// pause survives restarts. What facedrop writes into it (who, when, why) is only for people reading it.
package enum InboxPause {
    /// Makes the inbox's `PAUSE` file; false when it was paused already (the file is left as it is).
    @discardableResult
    package static func pause(_ inbox: InboxConfiguration, by user: String, reason: String?, at time: Date = Date()) throws(FileSystemError) -> Bool {
        guard !isPaused(inbox) else { return false }
        let note: JSONValue = [
            "paused_by": .string(user), "paused_at": .string(time.formatted(.iso8601)), "reason": reason.map(JSONValue.string) ?? .null,
        ]
        try Files.create(inbox.pauseFile, bytes: note.serialized(pretty: true) + [0x0A])
        return true
    }

    /// Removes the inbox's `PAUSE` file; false when it was not paused.
    @discardableResult
    package static func resume(_ inbox: InboxConfiguration) throws(FileSystemError) -> Bool {
        guard isPaused(inbox) else { return false }
        try Files.remove(inbox.pauseFile)
        return true
    }

    package static func isPaused(_ inbox: InboxConfiguration) -> Bool {
        Files.exists(inbox.pauseFile)
    }
}
