import FileSystem

/// What an idle daemon hands back to the kernel: the pages of its code and read-only data that only it maps, and
/// the free pages of its heap.
///
/// Most of a started daemon's resident memory is not its own data but pages of its executable (a statically
/// linked Swift runtime, Foundation, GRDB) and of the libraries libcurl loads, touched once while it started or ran
/// a job and then never again while it waits. They are clean file pages: dropping them loses nothing, and the few a
/// later job needs are read back from the page cache or the disk on first touch. So once no job has been in flight
/// for a while (`[memory] release_when_idle_after`), the scheduler calls ``release()``: an idle daemon keeps only
/// what it really uses, about half of what it held.
///
/// A page fault maps 64 KiB around the page it needs, so any Swift code that ran after the release (the log line,
/// the scheduler's next look at the queue) would fault much of it straight back. So the release itself happens a
/// moment later, on a thread of its own that runs only libc, once the daemon's own threads are back asleep.
enum IdleMemory {
    /// One mapping worth paging out: a private, read-only mapping of a file (code and constants, not data a
    /// process wrote, which would go to swap rather than away).
    struct Mapping: Equatable {
        var start: UInt
        var end: UInt
        var path: String
    }

    /// Resident memory, in KiB, from /proc/self/status.
    struct Resident: Equatable {
        var total: Int
        var file: Int
        var anonymous: Int
    }

    /// What one ``release()`` is about to do.
    struct Report {
        /// Resident memory before the release.
        var before: Resident?
        /// The mappings to page out, and their size.
        var mappings: Int
        var bytes: UInt
        /// Why the release could not start, if it could not.
        var refusal: String?
    }

    /// How long the release waits for the daemon's threads to go back to sleep.
    static let delay = Duration.milliseconds(200)

    /// Pages out every private read-only file mapping of this process and trims the heap, ``delay`` from now.
    static func release() -> Report {
        let mappings = mappings()
        let refusal = POSIX.releaseLater(mappings.map { ($0.start, Int($0.end - $0.start)) }, after: delay)
        return Report(
            before: resident(),
            mappings: mappings.count,
            bytes: mappings.reduce(0) { $0 + $1.end - $1.start },
            refusal: refusal.map(POSIX.describe)
        )
    }

    /// This process's mappings worth paging out, from /proc/self/maps (empty when it cannot be read).
    static func mappings() -> [Mapping] {
        guard let bytes = try? Files.readProcFile("/proc/self/maps", limit: 1 << 18) else { return [] }
        return mappings(inMaps: String(decoding: bytes, as: UTF8.self))
    }

    /// The private read-only file mappings listed in the text of a /proc/<pid>/maps file.
    static func mappings(inMaps text: String) -> [Mapping] {
        text.split(separator: "\n").compactMap { line -> Mapping? in
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6 else { return nil }
            let permissions = Array(fields[1].utf8)
            let path = fields[5].drop(while: { $0 == " " })
            guard permissions.count == 4, permissions[0] == UInt8(ascii: "r"), permissions[1] == UInt8(ascii: "-"),
                permissions[3] == UInt8(ascii: "p"), path.hasPrefix("/"), !path.hasSuffix(" (deleted)")
            else { return nil }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), start < end
            else { return nil }
            return Mapping(start: start, end: end, path: String(path))
        }
    }

    /// This process's resident memory now, or nil when /proc cannot be read.
    static func resident() -> Resident? {
        guard let bytes = try? Files.readProcFile("/proc/self/status", limit: 1 << 16) else { return nil }
        return resident(inStatus: String(decoding: bytes, as: UTF8.self))
    }

    /// The VmRSS, RssFile and RssAnon lines of a /proc/<pid>/status text.
    static func resident(inStatus text: String) -> Resident? {
        var values: [Substring: Int] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, ["VmRSS:", "RssFile:", "RssAnon:"].contains(fields[0]), let kib = Int(fields[1]) else { continue }
            values[fields[0]] = kib
        }
        guard let total = values["VmRSS:"], let file = values["RssFile:"], let anonymous = values["RssAnon:"] else { return nil }
        return Resident(total: total, file: file, anonymous: anonymous)
    }
}
