import Glibc

/// The request window's file could not be opened.
package struct WindowFileError: Error, Sendable, CustomStringConvertible {
    package var path: String
    package var code: Int32

    package var description: String {
        "\(path): \(String(cString: strerror(code))) (errno \(code))"
    }
}
