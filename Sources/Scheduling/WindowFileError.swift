import Glibc

/// The request window's file could not be opened.
public struct WindowFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var code: Int32

    public var description: String {
        "\(path): \(String(cString: strerror(code))) (errno \(code))"
    }
}
