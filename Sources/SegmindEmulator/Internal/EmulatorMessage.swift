/// A request as the emulator's logic sees it, free of any HTTP server type.
struct EmulatorRequest: Sendable {
    var method: String
    /// The path without the query, percent-decoded by the HTTP server.
    var path: String
    /// Header values by lower-cased name.
    var headers: [String: String]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }
}

/// An answer as the emulator's logic produces it; the HTTP bridge turns it into bytes on the wire,
/// or into a closed connection for the faults that need one.
struct EmulatorResponse: Sendable {
    /// How the answer reaches the client.
    enum Delivery: Sendable, Equatable {
        /// Head and whole body.
        case complete
        /// Head with the full Content-Length, then only the first half of the body, then close.
        case truncated
        /// Close the connection without writing a byte.
        case dropped
    }

    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var delivery: Delivery = .complete

    init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8], contentType: String) {
        self.status = status
        // Every answer says it comes from an emulator (Segmind never sends this header), so a client can mark
        // what it made as synthetic.
        self.headers = [("Content-Type", contentType), ("x-segmind-emulator", "facedrop")] + headers
        self.body = body
    }

    static var dropped: EmulatorResponse {
        var response = EmulatorResponse(status: 0, body: [], contentType: "")
        response.headers = []
        response.delivery = .dropped
        return response
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
