import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` into the target: the git commit the build was made from, for `facedrop --version`.
///
/// The commit is read with `git` at build time (`unknown` outside a git checkout, `+dirty` appended when files
/// differ from it). The build reruns the command whenever git's log of `HEAD` changes, that is at every commit
/// and checkout.
@main
struct BuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "BuildInfo.swift")
        let markers = [".git/logs/HEAD", ".git/HEAD", ".git/index"].map { root.appending(path: $0) }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        let script = """
            commit=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
            if [ "$commit" != unknown ] && ! git -C "$1" diff --quiet HEAD 2>/dev/null; then commit="$commit+dirty"; fi
            printf '/// Generated at build time by the BuildInfo plugin.\\nenum BuildInfo {\\n    /// The git commit this binary was built from.\\n    static let commit = "%s"\\n}\\n' "$commit" > "$2"
            """
        return [
            .buildCommand(
                displayName: "Recording the git commit of \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "build-info", root.path, output.path],
                inputFiles: markers,
                outputFiles: [output]
            )
        ]
    }
}
