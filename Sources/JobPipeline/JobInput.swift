package import Foundation
import SegmindCatalog
package import StrictJSON

/// One job as found on disk: the face, its sidecar and an optional pose image.
package struct JobInput: Sendable {
    /// The stem the job is named after.
    package var name: String
    /// The inbox's name, for records.
    package var inbox: String
    /// The job's folder relative to the inbox (empty at the top), kept in the outbox path.
    package var subpath: String
    package var facePath: String
    /// The sidecar; nil for a face dropped alone in a sidecar-optional inbox.
    package var sidecarPath: String?
    /// A pose image found next to the face (`<stem>.pose.<ext>`), or named by the caller.
    package var posePath: String?
    package var droppedAt: Date
    package var readyAt: Date
    /// Where the face was dropped, for records; the files read may have been moved since (claimed).
    package var sourcePath: String
    /// Identifies one claim of one job across restarts, so a job delivered just before a crash is
    /// recognised in the outbox instead of being delivered twice.
    package var claimID: String?
    /// 1 for a dropped job, n + 1 for a retry of attempt n.
    package var attempt = 1
    /// The earlier attempt's record (`error.json` or `cancelled.json`), kept in a retry's records.
    package var previousAttempt: JSONValue?

    package init(
        name: String,
        inbox: String,
        subpath: String = "",
        facePath: String,
        sidecarPath: String?,
        posePath: String? = nil,
        droppedAt: Date = Date(),
        readyAt: Date = Date(),
        sourcePath: String? = nil,
        claimID: String? = nil
    ) {
        self.sourcePath = sourcePath ?? facePath
        self.claimID = claimID
        self.name = name
        self.inbox = inbox
        self.subpath = subpath
        self.facePath = facePath
        self.sidecarPath = sidecarPath
        self.posePath = posePath
        self.droppedAt = droppedAt
        self.readyAt = readyAt
    }
}

/// The inbox settings a job runs with.
package struct JobSettings: Sendable {
    package var defaultModel: String?
    package var defaults: [String: JSONValue]
    /// The largest face or pose image accepted.
    package var maxImageBytes: Int
    /// The most pixels a face or pose image may declare. The header is read, never the pixels: this keeps
    /// a decompression bomb (a small PNG declaring 50000×50000) from being sent and paid for. The default,
    /// 2^28, is WebP's own largest picture and far beyond any camera.
    package var maxImagePixels: Int
    /// The largest sidecar accepted.
    package var maxSidecarBytes: Int
    /// Whether an input with a second name (a hard link) is refused unread: true for files from a shared
    /// inbox, where a link can give a file from elsewhere a name inside it. Files a user names on the
    /// command line (`facedrop generate`) are trusted and may set this to false.
    package var refusesHardLinks = true
    /// How long a job may wait for Segmind after its submit.
    package var deadline: Duration
    /// Multiplies the catalog's expected run times; below 1 only against a time-scaled emulator.
    package var runTimeScale: Double

    package init(
        defaultModel: String? = nil,
        defaults: [String: JSONValue] = [:],
        maxImageBytes: Int = 20 << 20,
        maxImagePixels: Int = 1 << 28,
        maxSidecarBytes: Int = 256 << 10,
        deadline: Duration = .seconds(900),
        runTimeScale: Double = 1
    ) {
        self.defaultModel = defaultModel
        self.defaults = defaults
        self.maxImageBytes = maxImageBytes
        self.maxImagePixels = maxImagePixels
        self.maxSidecarBytes = maxSidecarBytes
        self.deadline = deadline
        self.runTimeScale = runTimeScale
    }
}
