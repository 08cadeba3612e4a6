import Foundation
import SegmindCatalog
import StrictJSON

/// The control API, under `/_emulator/`: not part of Segmind's API, it lets tests in another
/// process (and the SDK conformance script) steer the emulator. It needs no key and is neither
/// rate limited, faulted nor recorded in the ledger.
///
/// | Request | Effect |
/// | --- | --- |
/// | `GET /_emulator/ledger` | `{"entries": [...], "submits", "billed_submits", "polls"}` |
/// | `GET /_emulator/stats` | requests by endpoint and, per billed submit, its polls, downloads and timeline (``EmulatorStats``) |
/// | `POST /_emulator/faults` | injects one fault (see ``EmulatorFault/init(json:)``) or `{"faults": [...]}` |
/// | `GET /_emulator/faults` | the pending faults |
/// | `DELETE /_emulator/faults` | removes every pending fault |
/// | `POST /_emulator/credits` | `{"credits": N, "free_credits": M}` sets the balances (either may be left out) |
/// | `POST /_emulator/reset` | clears ledger, faults and rate window, restores the configured balances |
extension EmulatorServer {
    func handleControl(path: String, request: EmulatorRequest) -> EmulatorResponse {
        switch (request.method, path) {
        case ("GET", "ledger"):
            return .json(200, ledger().json)
        case ("GET", "stats"):
            return .json(200, stats().json)
        case ("GET", "faults"):
            return .json(200, .object(["faults": .array(faults.map(\.json))]))
        case ("DELETE", "faults"):
            faults.removeAll()
            return .json(200, .object(["faults": .array([])]))
        case ("POST", "faults"):
            guard let body = parseJSON(request.body) else { return .error(400, "body is not JSON") }
            let items: [JSONValue]
            if case .object(let fields) = body, case .array(let list)? = fields["faults"] {
                items = list
            } else {
                items = [body]
            }
            do {
                let parsed = try items.map { item throws(EmulatorFaultFormatError) in try EmulatorFault(json: item) }
                for fault in parsed { inject(fault) }
            } catch {
                return .error(400, error.description)
            }
            return .json(200, .object(["faults": .array(faults.map(\.json))]))
        case ("POST", "credits"):
            guard case .object(let fields)? = parseJSON(request.body) else {
                return .error(400, "body must be a JSON object")
            }
            let paid = fields["credits"]?.doubleValue
            let free = (fields["free_credits"] ?? fields["free-credits"])?.doubleValue
            guard paid != nil || free != nil else { return .error(400, "give credits and/or free_credits") }
            setCredits(paid ?? credits, free: free)
            return .json(200, .object(["credits": .amount(credits), "free-credits": .amount(freeCredits)]))
        case ("POST", "reset"):
            reset()
            return .json(200, .object(["reset": .bool(true)]))
        case (_, "ledger"), (_, "stats"), (_, "faults"), (_, "credits"), (_, "reset"):
            return .methodNotAllowed
        default:
            return .error(404, "Not Found")
        }
    }
}

extension Ledger {
    /// The JSON form served by `GET /_emulator/ledger`.
    var json: JSONValue {
        func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        let list: [JSONValue] = entries.map { entry in
            .object([
                "time": .string(entry.time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))),
                "method": .string(entry.method),
                "path": .string(entry.path),
                "endpoint": .string(entry.endpoint.rawValue),
                "model": optional(entry.model),
                "request_id": optional(entry.requestID),
                "status": entry.status.map { .integer(Int64($0)) } ?? .null,
                "billed": .bool(entry.billed),
                "cost": .amount(entry.cost),
                "fault": optional(entry.fault),
            ])
        }
        return .object([
            "entries": .array(list),
            "submits": .integer(Int64(submits)),
            "billed_submits": .integer(Int64(billedSubmits)),
            "polls": .integer(Int64(polls)),
        ])
    }
}
