import FileSystem
public import Foundation

extension APIKey {
    /// Why no usable key could be read.
    public enum LocatingError: Error, Sendable, Hashable, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case empty(path: String)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): "the API key file \(path) cannot be read: \(reason)"
            case .empty(let path): "the API key file \(path) is empty"
            }
        }
    }

    /// Finds the key, in the order systemd conventions suggest: the service's credential
    /// (`$CREDENTIALS_DIRECTORY/segmind-api-key`, from `LoadCredential=`), then `keyFile`, then the
    /// `SEGMIND_API_KEY` variable. Returns nil when none is set. The key is never read from the config.
    public static func locate(keyFile: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(LocatingError) -> APIKey? {
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            let path = "\(directory)/segmind-api-key"
            if Files.exists(path) {
                return try read(path)
            }
        }
        if let keyFile, !keyFile.isEmpty {
            return try read(keyFile)
        }
        if let value = environment["SEGMIND_API_KEY"], !value.isEmpty {
            return APIKey(value)
        }
        return nil
    }

    private static func read(_ path: String) throws(LocatingError) -> APIKey {
        let bytes: [UInt8]
        do {
            bytes = try Files.read(path, limit: 64 << 10, followingLink: true)
        } catch {
            throw .unreadable(path: path, reason: error.reasonText)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .unreadable(path: path, reason: "not UTF-8 text") }
        let key = APIKey(text)
        guard !key.isEmpty else { throw .empty(path: path) }
        return key
    }
}
