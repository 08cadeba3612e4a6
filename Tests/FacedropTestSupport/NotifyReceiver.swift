import Foundation
import Glibc
import Synchronization

/// A stand-in for systemd's notification socket: binds an `AF_UNIX` datagram socket and records every
/// message sent to it, on its own thread, with the time it arrived.
///
/// Give its ``path`` to the code under test as `NOTIFY_SOCKET`; read ``messages`` to see what it said.
public final class NotifyReceiver: Sendable {
    /// One datagram: its `KEY=VALUE` lines and when it arrived.
    public struct Message: Sendable, CustomStringConvertible {
        public let fields: [String]
        public let arrival: ContinuousClock.Instant

        public var description: String { fields.joined(separator: "|") }
    }

    public let path: String
    private let descriptor: Int32
    private let received = Mutex<[Message]>([])
    private let stopped = Mutex(false)
    private let finished = Mutex(false)

    public init() throws {
        // sun_path holds 108 bytes: a short name directly under /tmp.
        path = "/tmp/fd-notify-\(UUID().uuidString.prefix(12)).sock"
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            close(descriptor)
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [self] in receiveLoop() }
        thread.name = "notify-receiver"
        thread.start()
    }

    deinit {
        stop()
    }

    /// Every message so far, oldest first.
    public var messages: [Message] { received.withLock { $0 } }

    /// Every field so far, in order.
    public var fields: [String] { messages.flatMap(\.fields) }

    /// Stops receiving and removes the socket file; idempotent.
    public func stop() {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        while !finished.withLock({ $0 }) { usleep(10_000) }
        close(descriptor)
        unlink(path)
    }

    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 8192)
        while !stopped.withLock({ $0 }) {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { continue }
            let text = String(decoding: buffer[..<count], as: UTF8.self)
            let message = Message(fields: text.split(separator: "\n").map(String.init), arrival: .now)
            received.withLock { $0.append(message) }
        }
        finished.withLock { $0 = true }
    }
}
