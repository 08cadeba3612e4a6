/// The three picture formats facedrop accepts as input and Segmind returns as output.
package enum ImageFormat: String, Sendable, CaseIterable, Codable {
    case jpeg
    case png
    case webp

    /// The MIME type, as sent in `Content-Type` and written to result records.
    package var contentType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        }
    }

    /// The usual file extension, without the dot.
    package var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .webp: "webp"
        }
    }

    /// The format a dropped file's extension names (`jpg`, `jpeg`, `png`, `webp`, any case, no dot).
    package init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "jpg", "jpeg": self = .jpeg
        case "png": self = .png
        case "webp": self = .webp
        default: return nil
        }
    }

    /// The format a MIME type names; parameters such as `; charset=…` and case are ignored.
    ///
    /// `image/jpg` and `image/pjpeg` are accepted too: some servers send them.
    package init?(contentType: String) {
        let essence = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        switch essence.trimmingASCIIWhitespace().lowercased() {
        case "image/jpeg", "image/jpg", "image/pjpeg": self = .jpeg
        case "image/png": self = .png
        case "image/webp": self = .webp
        default: return nil
        }
    }

    /// The format a Segmind `output_format` parameter asks for: `jpg`, `jpeg`, `png` or `webp`.
    package init?(outputFormatName: String) {
        self.init(fileExtension: outputFormatName.trimmingASCIIWhitespace())
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
