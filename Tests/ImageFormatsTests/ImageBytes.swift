import FacedropTestSupport

extension ImageBytes {
    /// The data of every chunk of `type` in a PNG, in order.
    static func pngChunks(_ type: String, in png: [UInt8]) -> [[UInt8]] {
        var offset = 8
        var found: [[UInt8]] = []
        while offset + 12 <= png.count {
            let length = png[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let name = String(decoding: png[offset + 4..<offset + 8], as: UTF8.self)
            guard offset + 12 + length <= png.count else { break }
            if name == type { found.append(Array(png[offset + 8..<offset + 8 + length])) }
            offset += 12 + length
        }
        return found
    }
}

/// A deterministic generator so that "random" hostile inputs are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state ^ (state >> 29)
    }
}
