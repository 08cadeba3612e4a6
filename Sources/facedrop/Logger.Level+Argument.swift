public import ArgumentParser
public import Logging

/// `--log-level` takes swift-log's level names; anything else is a usage error (exit 64), never a silent default.
extension Logger.Level: @retroactive ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
