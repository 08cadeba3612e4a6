/// Why ``ImageMetadataWriter`` left a picture as it was.
package enum ImageMetadataError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The bytes are no PNG, JPEG or WebP that could be walked.
    case unreadable(ImageInspectionError)
    /// The XMP packet is larger than the format's slot (a JPEG `APP1` segment holds 65,533 bytes).
    case tooLarge(ImageFormat, bytes: Int, limit: Int)

    package var description: String {
        switch self {
        case .unreadable(let error):
            "the picture's structure cannot take metadata: \(error)"
        case .tooLarge(let format, let bytes, let limit):
            "the generation parameters (\(bytes) bytes of XMP) do not fit a \(format.name) metadata block (at most \(limit) bytes)"
        }
    }
}
