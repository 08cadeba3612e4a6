/// Why metrics could not be served or written.
package enum MetricsExportError: Error, Equatable, CustomStringConvertible {
    /// `listen` is not an IPv4 address and port.
    case invalidAddress(String)
    /// The endpoint's socket could not be bound or stopped serving.
    case listenFailed(String)

    package var description: String {
        switch self {
        case .invalidAddress(let address): "the metrics address \(address) is not an IPv4 address and port"
        case .listenFailed(let reason): "the metrics endpoint could not listen: \(reason)"
        }
    }
}
