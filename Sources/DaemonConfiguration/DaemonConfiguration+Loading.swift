import FileSystem
import Foundation
public import SegmindCatalog

extension DaemonConfiguration {
    /// The largest configuration file read. Real ones are a few kilobytes; anything bigger is a
    /// wrong path.
    public static let maximumFileSize = 1 << 20

    /// Reads and validates a configuration file.
    ///
    /// - Parameters:
    ///   - path: The TOML file, usually `/etc/facedrop/facedrop.toml`.
    ///   - catalog: The models an inbox's `model` and `defaults` are checked against.
    ///   - environment: The process environment; `STATE_DIRECTORY` is read from it.
    public static func load(
        path: String,
        catalog: ModelCatalog,
        environment: [String: String]
    ) throws(ConfigurationError) -> DaemonConfiguration {
        let bytes: [UInt8]
        do {
            bytes = try Files.read(path, limit: maximumFileSize, followingLink: true)
        } catch {
            if case .tooLarge = error.reason {
                throw .unreadable(path: path, reason: "larger than \(maximumFileSize) bytes")
            }
            throw .unreadable(path: path, reason: error.reasonText)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .unreadable(path: path, reason: "not UTF-8 text")
        }
        return try parse(toml: text, catalog: catalog, environment: environment)
    }

    /// Parses and validates configuration text.
    public static func parse(
        toml text: String,
        catalog: ModelCatalog,
        environment: [String: String]
    ) throws(ConfigurationError) -> DaemonConfiguration {
        let document = try TOMLNode.parse(text)
        var reader = ConfigurationReader(catalog: catalog, environment: environment)
        let configuration = reader.read(document)
        guard reader.problems.isEmpty else { throw .invalid(problems: reader.problems) }
        return configuration
    }
}
