/// Where facedrop sends its requests.
public enum APIEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The built-in offline Segmind emulator (`base_url = "emulator"`): nothing is billed.
    case emulator
    /// An http or https origin, without a trailing slash, e.g. `https://api.segmind.com`.
    case url(String)

    /// Segmind's own API origin, used when `base_url` is left out.
    public static let segmind = APIEndpoint.url("https://api.segmind.com")

    public var description: String {
        switch self {
        case .emulator: "emulator"
        case .url(let url): url
        }
    }
}
