/// Why ``SyntheticImage`` could not produce a picture.
package enum ImageEncodingError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The requested size is zero, negative, or beyond what the format (or the pixel budget) allows.
    case invalidDimensions(ImageFormat, width: Int, height: Int)
    /// The trace does not fit the metadata slot of the format (a JPEG comment holds 65,533 bytes).
    case traceTooLarge(ImageFormat, bytes: Int, limit: Int)
    /// The trace could not be serialised as JSON.
    case traceNotEncodable(reason: String)
    /// The codec library reported an error.
    case encoderFailed(ImageFormat, reason: String)

    package var description: String {
        switch self {
        case .invalidDimensions(let format, let width, let height):
            "cannot render a \(width)×\(height) \(format.name) image: each side must be "
                + "1...\(SyntheticImage.maximumDimension) and the area at most \(SyntheticImage.maximumPixelCount) pixels"
        case .traceTooLarge(let format, let bytes, let limit):
            "the image trace (\(bytes) bytes) does not fit a \(format.name) metadata block (at most \(limit) bytes)"
        case .traceNotEncodable(let reason):
            "the image trace cannot be encoded as JSON: \(reason)"
        case .encoderFailed(let format, let reason):
            "the \(format.name) encoder failed: \(reason)"
        }
    }
}
