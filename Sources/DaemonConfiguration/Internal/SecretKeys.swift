/// Keys that would hold the API key. They are refused wherever they appear, because a key in a
/// world-readable configuration file ends up in backups, bug reports and version control.
enum SecretKeys {
    private static let names: Set<String> = ["api_key", "apikey", "key", "x_api_key", "segmind_api_key"]

    static func isSecret(_ key: String) -> Bool {
        names.contains(String(key.lowercased().map { $0 == "-" ? "_" : $0 }))
    }

    /// The problem for a secret found at `location`; it never repeats the value.
    static func problem(at location: String) -> String {
        "\(location): the API key never goes in the configuration file; give it as the systemd credential "
            + "\"segmind-api-key\" ($CREDENTIALS_DIRECTORY/segmind-api-key, LoadCredential=), in the file named "
            + "by [api] key_file, or in the SEGMIND_API_KEY environment variable"
    }

    /// Every secret key in the document, as dotted locations such as `api.api_key` or `inbox[1].defaults.key`.
    static func locations(in table: [String: TOMLNode], prefix: String = "") -> [String] {
        var found: [String] = []
        for (key, node) in table.sorted(by: { $0.key < $1.key }) {
            let location = prefix.isEmpty ? key : "\(prefix).\(key)"
            if isSecret(key) { found.append(location) }
            found += locations(in: node, at: location)
        }
        return found
    }

    private static func locations(in node: TOMLNode, at location: String) -> [String] {
        switch node {
        case .table(let table):
            locations(in: table, prefix: location)
        case .array(let elements):
            elements.enumerated().flatMap { locations(in: $1, at: "\(location)[\($0 + 1)]") }
        default:
            []
        }
    }
}
