import CurlHTTP
import Foundation
import SegmindCatalog
import StrictJSON

/// What a request was, so that one status code can mean different things (a 404 at submit is an unknown
/// model; while polling it is an expired record).
enum Endpoint: Sendable {
    case submit(model: String)
    case status(requestID: String)
    case result(requestID: String)
    case credits
    case upload
}

/// Reads Segmind's error envelope and turns a non-2xx answer into a ``SegmindError``.
struct ErrorMapping {
    let key: APIKey

    /// Segmind's `error` text, scrubbed of the key. Non-JSON bodies (a 405 is HTML) give a short excerpt.
    func message(in body: [UInt8]) -> String {
        if let parsed = try? JSONParser().parse(body), let text = parsed["error"]?.stringValue {
            return key.redacting(text)
        }
        let excerpt = String(decoding: body.prefix(200), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ")
            .trimmingCharacters(in: .whitespaces)
        return key.redacting(excerpt)
    }

    func error(status: Int, headers: HTTPHeaders, body: [UInt8], endpoint: Endpoint) -> SegmindError {
        let message = message(in: body)
        let lowered = message.lowercased()
        switch status {
        case 400:
            return .badRequest(message: message)
        case 401:
            let missing = key.isEmpty || lowered.contains("missing")
            return .unauthorized(missing ? .missing : .invalid, message: message)
        case 403:
            return .forbidden(message: message)
        case 404:
            switch endpoint {
            case .submit(let model):
                return .modelNotFound(model: model, message: message)
            case .status(let id), .result(let id):
                return .requestExpired(requestID: id, message: message)
            case .credits, .upload:
                return .unexpectedStatus(status: status, message: message)
            }
        case 406:
            if lowered.contains("content type") || lowered.contains("content-type") {
                return .invalidContentType(message: message)
            }
            return .insufficientCredits(message: message)
        case 410:
            if case .submit(let model) = endpoint {
                return .modelRetired(model: model, message: message)
            }
            return .unexpectedStatus(status: status, message: message)
        case 422:
            switch endpoint {
            case .status(let id), .result(let id):
                return .generationFailed(requestID: id, message: message)
            default:
                return .badRequest(message: message)
            }
        case 429:
            return .rateLimited(retryAt: Self.retryTime(from: headers, now: Date()), message: message)
        case 500...599:
            return .serverError(status: status, message: message)
        default:
            return .unexpectedStatus(status: status, message: message)
        }
    }

    /// When a 429 may be retried: `Retry-After` (seconds or an HTTP date) first, then Segmind's
    /// `x-rate-limit-reset-at-utc` (ISO-8601, or seconds since 1970).
    static func retryTime(from headers: HTTPHeaders, now: Date) -> Date? {
        if let value = headers["retry-after"]?.trimmingCharacters(in: .whitespaces) {
            if let seconds = Double(value) { return now.addingTimeInterval(max(0, seconds)) }
            if let date = httpDate(value) { return date }
        }
        if let value = headers["x-rate-limit-reset-at-utc"]?.trimmingCharacters(in: .whitespaces) {
            if let seconds = Double(value) { return Date(timeIntervalSince1970: seconds > 1e11 ? seconds / 1000 : seconds) }
            return isoDate(value)
        }
        return nil
    }

    static func isoDate(_ text: String) -> Date? {
        var candidate = text
        // Some servers leave the zone out of a UTC time.
        if !candidate.hasSuffix("Z"), !candidate.contains("+"), candidate.filter({ $0 == "-" }).count <= 2 {
            candidate += "Z"
        }
        if let date = try? Date(candidate, strategy: .iso8601) { return date }
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return try? fractional.parse(candidate)
    }

    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
