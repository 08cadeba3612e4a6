package import Foundation

/// A batch ticket (`<stem>.batch.json` or `.batch.csv`) that has been left alone for the settle time.
package struct ReadyTicket: Sendable, Equatable {
    /// The absolute folder holding the ticket and the faces it names.
    package var folder: String
    /// The folder relative to the inbox; empty at the top.
    package var subpath: String
    package var stem: String
    package var file: FileSnapshot
    package var droppedAt: Date
}
