package import FileSystem
package import Foundation
import Synchronization

/// Keeps the request budget's recent admissions in a small file of the state folder, so a daemon that is
/// restarted (a crash loop, `Restart=on-failure`, an operator's restart) does not start each life with a full
/// minute's budget and exceed the account's limit.
///
/// Each admission writes its wall-clock time into one 8-byte slot of a ring of ``RequestBudget/limit`` slots
/// (one `pwrite`, no sync). A written page belongs to the kernel at once, so the record survives the process
/// being killed with SIGKILL at any moment; only a machine crash can lose the last writes. The file therefore
/// remembers the boot it was written in: read back after a reboot, while its newest admission is still within
/// the window, every slot is counted as spent at the moment of reading, because what the lost writes held
/// cannot be known.
///
/// Layout: the magic `FDRQWIN1` (bytes 0-7), the boot id (8-43), the slot count (48-55, little endian) in a
/// 64-byte header, then the slots: milliseconds since 1970, rounded up, little endian, 0 when empty. A time
/// read back that lies ahead of the clock counts as now.
package final class RequestWindowFile: Sendable {
    static let magic = Array("FDRQWIN1".utf8)
    static let headerSize = 64
    static let slotSize = 8

    package let path: String
    /// Slots in the ring: the budget's limit.
    package let slots: Int
    private let file: OpenFile
    private let state: Mutex<State>

    private struct State {
        /// The slot the next admission goes into.
        var next: Int
        /// False once a write failed: the file is then left alone, and the budget works from memory.
        var writable = true
    }

    /// What the file held when it was opened: the admissions of earlier lives, as wall-clock times.
    package let earlier: [Date]

    /// Opens (or creates) the file for a budget of `limit` requests per `window`, reading what earlier lives
    /// recorded that is still inside the window at `now`.
    package init(path: String, limit: Int, window: Duration, now: Date = Date()) throws(FileSystemError) {
        let file = try Files.openFile(path)
        let slots = max(1, limit)
        let boot = Self.bootID()
        let header = (try? file.read(limit: Self.headerSize)) ?? []
        let storedSlots = header.count == Self.headerSize ? Int(clamping: Self.integer(header[48..<56])) : 0
        let stored = Self.read((try? file.read(limit: Self.headerSize + min(max(storedSlots, 0), 1 << 20) * Self.slotSize)) ?? [])
        let windowSeconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        var earlier = stored.admissions.map { min($0, now) }.filter { now.timeIntervalSince($0) < windowSeconds }.sorted()
        if stored.boot != boot, !earlier.isEmpty {
            // Written before a reboot: the last writes may never have reached the disk.
            earlier = Array(repeating: now, count: slots)
        }
        earlier = Array(earlier.suffix(slots))
        // The file is rewritten in this life's shape: this boot, this many slots, the remembered admissions first.
        var bytes = Self.magic + Array(boot.utf8.prefix(36)) + [UInt8](repeating: 0, count: 36 - min(36, boot.utf8.count))
        bytes += [UInt8](repeating: 0, count: 4)
        bytes += Self.littleEndian(Int64(slots))
        bytes += [UInt8](repeating: 0, count: Self.headerSize - bytes.count)
        for slot in 0..<slots {
            bytes += Self.littleEndian(slot < earlier.count ? Self.milliseconds(earlier[slot]) : 0)
        }
        let writable = (try? file.truncate(to: 0)) != nil && (try? file.write(bytes, at: 0)) != nil
        self.path = path
        self.slots = slots
        self.file = file
        self.earlier = earlier
        self.state = Mutex(State(next: earlier.count % slots, writable: writable))
    }

    /// Records one admission at `time`, overwriting the oldest slot.
    package func record(_ time: Date) {
        state.withLock { state in
            guard state.writable else { return }
            let offset = Self.headerSize + state.next * Self.slotSize
            state.writable = (try? file.write(Self.littleEndian(Self.milliseconds(time)), at: offset)) != nil
            state.next = (state.next + 1) % slots
        }
    }

    /// This boot's id (`/proc/sys/kernel/random/boot_id`), or empty when it cannot be read.
    static func bootID() -> String {
        String((Files.readSetting("/proc/sys/kernel/random/boot_id") ?? "").filter { $0.isASCII && !$0.isWhitespace })
    }

    // MARK: Encoding

    /// The boot id and the admissions in `bytes`; nothing for a file that is empty or not this format.
    static func read(_ bytes: [UInt8]) -> (boot: String, admissions: [Date]) {
        guard bytes.count >= headerSize, Array(bytes.prefix(magic.count)) == magic else { return ("", []) }
        let boot = String(decoding: bytes[8..<44].filter { $0 != 0 }, as: UTF8.self)
        var admissions: [Date] = []
        var offset = headerSize
        while offset + slotSize <= bytes.count {
            let value = integer(bytes[offset..<offset + slotSize])
            if value > 0 { admissions.append(Date(timeIntervalSince1970: Double(value) / 1000)) }
            offset += slotSize
        }
        return (boot, admissions)
    }

    /// Rounded up, so an admission never looks older than it is.
    static func milliseconds(_ time: Date) -> Int64 {
        Int64((time.timeIntervalSince1970 * 1000).rounded(.up))
    }

    static func integer(_ bytes: ArraySlice<UInt8>) -> Int64 {
        bytes.reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }

    static func littleEndian(_ value: Int64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
