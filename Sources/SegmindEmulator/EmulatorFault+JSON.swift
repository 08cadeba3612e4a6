import SegmindCatalog
public import StrictJSON

/// The JSON form of a fault, as posted to `POST /_emulator/faults`:
///
/// ```json
/// {"endpoint": "submit", "kind": "status", "status": 503, "body": "{\"error\":\"busy\"}", "count": 2}
/// {"endpoint": "any", "kind": "delay", "seconds": 1.5}
/// ```
///
/// `endpoint` is one of `submit`, `status`, `result`, `output`, `credits`, `upload`, `any`;
/// `kind` one of `status` (with `status` and optional `body`), `drop_after_billing`, `drop`,
/// `delay` (with `seconds`), `truncated`, `malformed`; `count` defaults to 1.
extension EmulatorFault {
    /// Reads the JSON form; the error names what is wrong.
    public init(json: JSONValue) throws(EmulatorFaultFormatError) {
        guard case .object(let fields) = json else { throw .notAnObject }
        guard let endpointName = fields["endpoint"]?.stringValue,
            let endpoint = Endpoint(rawValue: endpointName)
        else { throw .invalidField("endpoint") }
        let count = fields["count"].map { $0.intValue } ?? 1
        guard let count, count > 0 else { throw .invalidField("count") }
        let kind: Kind
        switch fields["kind"]?.stringValue {
        case "status":
            guard let code = fields["status"]?.intValue, (100...599).contains(code) else {
                throw .invalidField("status")
            }
            kind = .status(code, body: fields["body"]?.stringValue)
        case "drop_after_billing": kind = .dropConnectionAfterBilling
        case "drop": kind = .dropConnection
        case "delay":
            guard let seconds = fields["seconds"]?.doubleValue, seconds >= 0 else { throw .invalidField("seconds") }
            kind = .delay(.milliseconds(Int64((seconds * 1000).rounded())))
        case "truncated": kind = .truncatedBody
        case "malformed": kind = .malformedBody
        default: throw .invalidField("kind")
        }
        self.init(endpoint: endpoint, kind: kind, count: count)
    }

    /// The JSON form, as `GET /_emulator/faults` lists it.
    public var json: JSONValue {
        var fields: [String: JSONValue] = ["endpoint": .string(endpoint.rawValue), "count": .integer(Int64(count))]
        switch kind {
        case .status(let code, let body):
            fields["kind"] = .string("status")
            fields["status"] = .integer(Int64(code))
            if let body { fields["body"] = .string(body) }
        case .dropConnectionAfterBilling: fields["kind"] = .string("drop_after_billing")
        case .dropConnection: fields["kind"] = .string("drop")
        case .delay(let duration):
            fields["kind"] = .string("delay")
            let (seconds, attoseconds) = duration.components
            fields["seconds"] = .number(Double(seconds) + Double(attoseconds) / 1e18)
        case .truncatedBody: fields["kind"] = .string("truncated")
        case .malformedBody: fields["kind"] = .string("malformed")
        }
        return .object(fields)
    }
}

/// Why a fault's JSON form was refused.
public enum EmulatorFaultFormatError: Error, Sendable, CustomStringConvertible, Equatable {
    case notAnObject
    case invalidField(String)

    public var description: String {
        switch self {
        case .notAnObject: "a fault must be a JSON object"
        case .invalidField(let name): "fault field \"\(name)\" is missing or invalid"
        }
    }
}
