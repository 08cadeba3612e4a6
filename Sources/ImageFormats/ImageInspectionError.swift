/// Why bytes are not an acceptable picture.
///
/// Dropped files are untrusted, so every way a header or a stream can be wrong ends here rather than
/// in a crash.
package enum ImageInspectionError: Error, Sendable, CustomStringConvertible, Equatable {
    /// There are no bytes at all.
    case empty
    /// The bytes start with no JPEG, PNG or WebP signature.
    case unrecognizedFormat
    /// The bytes end before the header (or, when verifying, the image) is complete.
    case truncated(ImageFormat)
    /// The structure breaks the format's rules.
    case malformed(ImageFormat, reason: String)
    /// The header declares a zero or out-of-range size.
    case invalidDimensions(ImageFormat, width: Int, height: Int)
    /// The header declares more pixels than the caller allows; nothing was decoded.
    case tooManyPixels(ImageFormat, width: Int, height: Int, limit: Int)
    /// The codec refused the image data.
    case undecodable(ImageFormat, reason: String)

    package var description: String {
        switch self {
        case .empty:
            "the file is empty"
        case .unrecognizedFormat:
            "not a JPEG, PNG or WebP image (unknown signature)"
        case .truncated(let format):
            "the \(format.name) image is truncated"
        case .malformed(let format, let reason):
            "malformed \(format.name) image: \(reason)"
        case .invalidDimensions(let format, let width, let height):
            "the \(format.name) image declares an invalid size of \(width)×\(height)"
        case .tooManyPixels(let format, let width, let height, let limit):
            "the \(format.name) image declares \(width)×\(height) pixels, more than the limit of \(limit)"
        case .undecodable(let format, let reason):
            "the \(format.name) image cannot be decoded: \(reason)"
        }
    }
}

extension ImageFormat {
    /// The name people use in messages: `JPEG`, `PNG`, `WebP`.
    package var name: String {
        switch self {
        case .jpeg: "JPEG"
        case .png: "PNG"
        case .webp: "WebP"
        }
    }
}
