import Foundation
public import StrictJSON

/// Phil Harvey's `exiftool` (Debian's `libimage-exiftool-perl`, installed by `scripts/install-deps`): a reader of
/// picture metadata written by no one on this project, so tests of what facedrop writes into pictures ask it.
public enum ExifTool {
    public enum Failure: Error, CustomStringConvertible {
        case exited(Int32, path: String)
        case unreadableOutput(path: String)

        public var description: String {
            switch self {
            case .exited(let status, let path): "exiftool exited \(status) for \(path)"
            case .unreadableOutput(let path): "exiftool's JSON for \(path) could not be read"
            }
        }
    }

    /// The tags of one file as `exiftool -j -G -n` gives them, by `Group:Name` (`XMP:Prompt`, `PNG:Parameters`),
    /// numbers as numbers.
    public static func tags(of path: String) throws -> [String: JSONValue] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/exiftool")
        process.arguments = ["-j", "-G", "-n", path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure.exited(process.terminationStatus, path: path) }
        guard let tags = try JSONParser().parse(Array(data)).arrayValue?.first?.objectValue else {
            throw Failure.unreadableOutput(path: path)
        }
        return tags
    }
}
