public import FlyingFox
public import FlyingSocks

/// Closes a FlyingFox connection without writing a byte: a server that took the request and never
/// answered.
///
/// FlyingFox builds a WebSocket's frames before it writes the upgrade answer, so frames that fail to
/// build end the connection silently. Answer with `HTTPResponse(webSocket: DropConnection())`.
public struct DropConnection: WSHandler {
    public init() {}

    public func makeFrames(for client: AsyncThrowingStream<WSFrame, any Error>) async throws -> AsyncStream<WSFrame> {
        throw ConnectionFault.droppedOnPurpose
    }
}

/// A response body that sends its prefix and then fails, so the connection closes short of the
/// announced length: `HTTPBodySequence(from: CutShortBody(prefix: bytes), count: bytes.count + 100)`.
public struct CutShortBody: AsyncBufferedSequence, AsyncBufferedIteratorProtocol {
    public typealias Element = UInt8
    var prefix: [UInt8]
    var sent = false

    public init(prefix: [UInt8]) {
        self.prefix = prefix
    }

    public func makeAsyncIterator() -> CutShortBody { self }

    public mutating func next() async throws -> UInt8? {
        try await nextBuffer(suggested: 1)?.first
    }

    public mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
        guard !sent else { throw ConnectionFault.droppedOnPurpose }
        sent = true
        return prefix
    }
}

/// The error the faults above end a connection with.
public enum ConnectionFault: Error {
    case droppedOnPurpose
}
