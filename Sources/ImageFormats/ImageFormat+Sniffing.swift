extension ImageFormat {
    /// The format announced by the first bytes, or `nil`.
    ///
    /// Looks at magic bytes only (at most the first 12): a dropped file's name says nothing
    /// trustworthy about its content. Use ``ImageInfo/inspect(_:)`` to also check the header.
    package static func sniff(_ header: some Collection<UInt8>) -> ImageFormat? {
        let bytes = Array(header.prefix(12))
        if bytes.starts(with: PNGLayout.signature) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WEBP".utf8) {
            return .webp
        }
        return nil
    }
}
