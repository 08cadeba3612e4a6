/// Why the emulator could not start.
public enum EmulatorError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The configured host is not an IPv4 address the emulator can bind.
    case invalidAddress(String)
    /// Binding or listening failed.
    case listenFailed(String)

    public var description: String {
        switch self {
        case .invalidAddress(let address): "cannot serve on \(address): not an IPv4 address"
        case .listenFailed(let reason): "cannot start the emulator: \(reason)"
        }
    }
}
