import Glibc

/// The `AF_UNIX` datagram socket behind ``ServiceNotifier``: every socket call of the module lives here.
///
/// The socket is opened once and kept (close-on-exec), so a watchdog ping costs one `sendto(2)`.
final class NotifySocket: Sendable {
    private let descriptor: Int32
    /// `sockaddr_un` as bytes, with the path or abstract name already in place.
    private let address: [UInt8]

    static var processID: Int32 { getpid() }

    /// `address` is a path (`/run/systemd/notify`) or an abstract name (`@name`, sent with a leading NUL).
    init?(address text: String) {
        var name = Array(text.utf8)
        guard let first = name.first, first == UInt8(ascii: "/") || first == UInt8(ascii: "@") else { return nil }
        if first == UInt8(ascii: "@") { name[0] = 0 }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        let capacity = MemoryLayout<sockaddr_un>.size - pathOffset
        guard name.count < capacity else { return nil }
        var bytes = [UInt8](repeating: 0, count: pathOffset + name.count)
        withUnsafeBytes(of: sa_family_t(AF_UNIX)) { family in
            for (index, byte) in family.enumerated() { bytes[index] = byte }
        }
        bytes.replaceSubrange(pathOffset..., with: name)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        address = bytes
    }

    deinit {
        close(descriptor)
    }

    func send(_ payload: [UInt8]) -> Bool {
        address.withUnsafeBytes { address in
            payload.withUnsafeBytes { payload in
                let sockaddrPointer = address.baseAddress!.assumingMemoryBound(to: sockaddr.self)
                while true {
                    let sent = sendto(descriptor, payload.baseAddress, payload.count, Int32(MSG_NOSIGNAL), sockaddrPointer, socklen_t(address.count))
                    if sent >= 0 { return sent == payload.count }
                    if errno != EINTR { return false }
                }
            }
        }
    }
}
