package import SegmindAPI

/// Why no connection to Segmind or the emulator could be opened.
package enum SegmindConnectionError: Error, Sendable, CustomStringConvertible {
    /// No key in the credential, the key file or `SEGMIND_API_KEY`.
    case noAPIKey
    /// A key file exists but cannot be used.
    case unreadableKey(APIKey.LocatingError)
    /// The built-in emulator could not start listening.
    case emulatorUnavailable(String)

    package var description: String {
        switch self {
        case .noAPIKey:
            "no API key: none in $CREDENTIALS_DIRECTORY/segmind-api-key, the key file or SEGMIND_API_KEY"
        case .unreadableKey(let error):
            "\(error)"
        case .emulatorUnavailable(let detail):
            "the built-in Segmind emulator cannot start: \(detail)"
        }
    }
}
