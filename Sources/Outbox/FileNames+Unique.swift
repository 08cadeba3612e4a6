import Foundation

extension FileNames {
    /// A fresh random name in UUID form (version 4, upper-case), for staging folders and temporary files.
    ///
    /// Foundation's `UUID()` on Linux opens, reads and closes `/dev/urandom` for each one: three system calls,
    /// and a descriptor, on every delivery. The standard library's generator asks the kernel once
    /// (`getrandom(2)`), with the same randomness.
    package static func unique() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next()
        let low = generator.next()
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { raw in
            raw.storeBytes(of: high, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: low, toByteOffset: 8, as: UInt64.self)
            raw[6] = raw[6] & 0x0F | 0x40  // version 4: random
            raw[8] = raw[8] & 0x3F | 0x80  // variant: RFC 4122
        }
        return UUID(uuid: bytes).uuidString
    }
}
