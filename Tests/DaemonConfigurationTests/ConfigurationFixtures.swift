import DaemonConfiguration
import Foundation
import SegmindCatalog
import Testing

/// Shared inputs for the configuration tests.
enum ConfigurationFixtures {
    /// The documented example, `config/facedrop.toml` at the repository root.
    static var examplePath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config/facedrop.toml").path
    }

    /// The smallest valid configuration: one inbox with its three required keys.
    static let minimalInbox = """
        [[inbox]]
        name = "portraits"
        path = "/srv/in/portraits"
        outbox = "/srv/out/portraits"
        """

    static func parse(_ toml: String, environment: [String: String] = [:]) throws -> DaemonConfiguration {
        try DaemonConfiguration.parse(toml: toml, catalog: ModelCatalog.bundled(), environment: environment)
    }

    /// The problems `toml` is refused with; fails the test when it is accepted or refused otherwise.
    static func problems(
        _ toml: String,
        environment: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [String] {
        let catalog = try ModelCatalog.bundled()
        let error = try #require(throws: ConfigurationError.self, sourceLocation: sourceLocation) {
            try DaemonConfiguration.parse(toml: toml, catalog: catalog, environment: environment)
        }
        guard case .invalid(let problems) = error else {
            Issue.record("expected .invalid, got \(error)", sourceLocation: sourceLocation)
            return []
        }
        return problems
    }
}

extension [String] {
    /// Whether some problem contains every one of `fragments`.
    func mentions(_ fragments: String...) -> Bool {
        contains { problem in fragments.allSatisfy { problem.contains($0) } }
    }
}
