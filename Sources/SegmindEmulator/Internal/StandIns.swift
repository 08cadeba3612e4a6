// Temporary stand-ins until the images branch lands.
public enum ImageFormat: Sendable { case jpeg, png, webp
    public var contentType: String { "image/png" }
    public var fileExtension: String { "png" }
    public init?(outputFormatName: String) { self = .png }
    public static func sniff(_ bytes: [UInt8]) -> ImageFormat? { nil }
}
public struct ImageTrace: Sendable { public init(requestID: String, model: String, faceSHA256: String?, poseSHA256: String?, index: Int, prompt: String?) {} }
public enum SyntheticImage { public static func render(width: Int, height: Int, format: ImageFormat, quality: Int, trace: ImageTrace) throws -> [UInt8] { [] } }
public struct SHA256Digest: Sendable { public var hex: String }
public enum SHA256 { public static func hash(_ bytes: [UInt8]) -> SHA256Digest { SHA256Digest(hex: "") } }
