import SegmindCatalog
import StrictJSON

/// JSON in and out, on the catalog's ``JSONValue`` (FlyingFox has a type of the same name, so this
/// file and the handlers never import FlyingFox).
extension EmulatorResponse {
    /// A JSON answer.
    static func json(
        _ status: Int,
        _ value: JSONValue,
        headers: [(name: String, value: String)] = []
    ) -> EmulatorResponse {
        EmulatorResponse(
            status: status,
            headers: headers,
            body: value.serialized(sortedKeys: true, pretty: false),
            contentType: "application/json"
        )
    }

    /// Segmind's error envelope, `{"error": "..."}`.
    static func error(
        _ status: Int,
        _ message: String,
        headers: [(name: String, value: String)] = []
    ) -> EmulatorResponse {
        json(status, .object(["error": .string(message)]), headers: headers)
    }

    /// The HTML page Segmind's gateway answers for a wrong verb.
    static var methodNotAllowed: EmulatorResponse {
        let page = """
            <html>
            <head><title>405 Not Allowed</title></head>
            <body>
            <center><h1>405 Not Allowed</h1></center>
            <hr><center>nginx</center>
            </body>
            </html>

            """
        return EmulatorResponse(status: 405, body: Array(page.utf8), contentType: "text/html")
    }
}

/// Parses `bytes` as JSON; `nil` when they are not valid JSON.
func parseJSON(_ bytes: [UInt8]) -> JSONValue? {
    try? JSONParser().parse(bytes)
}

extension JSONValue {
    /// A money amount or duration, with the precision a client would see from Segmind.
    static func amount(_ value: Double) -> JSONValue {
        .number((value * 1_000_000).rounded() / 1_000_000)
    }
}
