public import CurlHTTP
import FileSystem
public import Foundation

/// Everything that can go wrong between facedrop and Segmind, one case per documented answer.
///
/// Every case has a stable ``code`` (the `code` of a job's `error.json`), the HTTP status when there
/// was one, Segmind's own message, and a one-line ``hint`` for the person reading the error.
/// Descriptions never contain the API key: server messages are scrubbed of it before they get here.
public enum SegmindError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Whether a 401 means the key was absent or refused.
    public enum KeyProblem: String, Sendable, Hashable {
        case missing
        case invalid
    }

    /// 400: the body was malformed or a field was missing or wrong.
    case badRequest(message: String)
    /// 401: the key is missing or was refused.
    case unauthorized(KeyProblem, message: String)
    /// 403: the account may not use this model.
    case forbidden(message: String)
    /// 404 at submit: Segmind has no model by this slug.
    case modelNotFound(model: String, message: String)
    /// 404 while polling: the record is unknown or has expired (Segmind keeps it one hour).
    case requestExpired(requestID: String, message: String)
    /// 406: the balance is below the model's cost.
    case insufficientCredits(message: String)
    /// 406: the request's Content-Type was refused.
    case invalidContentType(message: String)
    /// 410: the model has been retired.
    case modelRetired(model: String, message: String)
    /// 422 / FAILED: the generation itself failed (including content blocks). Never retried.
    case generationFailed(requestID: String, message: String)
    /// 429: too many requests; `retryAt` is when Segmind said the window frees, if it said.
    case rateLimited(retryAt: Date?, message: String)
    /// 5xx after every allowed retry.
    case serverError(status: Int, message: String)
    /// Any other status.
    case unexpectedStatus(status: Int, message: String)
    /// A response that could not be read (truncated, not JSON, missing fields) after every allowed retry.
    case malformedResponse(status: Int, detail: String)
    /// A submit that may have reached Segmind and been billed, but whose answer was lost. It is never
    /// repeated automatically: there is no idempotency key.
    case outcomeUnknown(model: String, detail: String)
    /// The network failed (for a submit: before anything was sent, after every allowed retry).
    case network(HTTPClientError)
    /// An output could not be downloaded.
    case downloadFailed(url: String, detail: String)
    /// An output was being downloaded but could not be written on this machine (a full or read-only folder):
    /// nothing is wrong with Segmind or the output, and fetching it again later will work.
    case outputNotSaved(path: String, detail: String)
    /// The request did not finish before the job's deadline; it may still finish on Segmind's side.
    case deadlineExceeded(requestID: String, waitedSeconds: Int)
    /// The waiting task was cancelled.
    case cancelled

    /// The stable, machine-readable name of the failure.
    public var code: String {
        switch self {
        case .badRequest: "bad_request"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .modelNotFound: "model_not_found"
        case .requestExpired: "expired"
        case .insufficientCredits: "insufficient_credits"
        case .invalidContentType: "invalid_content_type"
        case .modelRetired: "model_retired"
        case .generationFailed: "failed"
        case .rateLimited: "rate_limited"
        case .serverError: "server_error"
        case .unexpectedStatus: "unexpected_status"
        case .malformedResponse: "malformed_response"
        case .outcomeUnknown: "outcome_unknown"
        case .network(.timedOut): "timeout"
        case .network: "network"
        case .downloadFailed: "download_failed"
        case .outputNotSaved: "write_failed"
        case .deadlineExceeded: "timeout"
        case .cancelled: "cancelled"
        }
    }

    /// The HTTP status Segmind answered, when the failure came with one.
    public var httpStatus: Int? {
        switch self {
        case .badRequest: 400
        case .unauthorized: 401
        case .forbidden: 403
        case .modelNotFound, .requestExpired: 404
        case .insufficientCredits, .invalidContentType: 406
        case .modelRetired: 410
        case .generationFailed: 422
        case .rateLimited: 429
        case .serverError(let status, _), .unexpectedStatus(let status, _): status
        case .malformedResponse(let status, _): status == 0 ? nil : status
        case .outcomeUnknown, .network, .downloadFailed, .outputNotSaved, .deadlineExceeded, .cancelled: nil
        }
    }

    /// Segmind's own words, when it sent any.
    public var segmindMessage: String? {
        switch self {
        case .badRequest(let message), .unauthorized(_, let message), .forbidden(let message),
            .modelNotFound(_, let message), .requestExpired(_, let message), .insufficientCredits(let message),
            .invalidContentType(let message), .modelRetired(_, let message), .generationFailed(_, let message),
            .rateLimited(_, let message), .serverError(_, let message), .unexpectedStatus(_, let message):
            return message.isEmpty ? nil : message
        case .malformedResponse, .outcomeUnknown, .network, .downloadFailed, .outputNotSaved, .deadlineExceeded, .cancelled:
            return nil
        }
    }

    /// What the person reading the error should do next.
    public var hint: String {
        switch self {
        case .badRequest:
            "Check the sidecar's parameters against `facedrop models`; Segmind rejected the request before running it."
        case .unauthorized(.missing, _):
            "No API key was sent: set it via the systemd credential segmind-api-key, key_file, or SEGMIND_API_KEY."
        case .unauthorized(.invalid, _):
            "Segmind refused the API key: check it for typos or expiry in the Segmind console."
        case .forbidden:
            "This account or team may not use the model; check its access in the Segmind console."
        case .modelNotFound:
            "Segmind has no model by this slug; check the sidecar's model against `facedrop models`."
        case .requestExpired:
            "Segmind keeps results one hour; the request expired before it was fetched. Drop the job again to regenerate."
        case .insufficientCredits:
            "The balance is below the model's cost: top up credits; waiting jobs resume by themselves."
        case .invalidContentType:
            "Segmind refused the request's Content-Type; this is a facedrop bug, please report it."
        case .modelRetired:
            "Segmind has retired this model; choose another in the sidecar."
        case .generationFailed:
            "The model failed on this input (a content block or a bad value); change the prompt or image and drop it again."
        case .rateLimited:
            "Segmind's rate limit was hit; lower requests_per_minute in [api] or wait for the window to free."
        case .serverError:
            "Segmind had a server error; dropping the job again later usually works."
        case .unexpectedStatus:
            "Segmind answered with an unexpected status; check Segmind's status page."
        case .malformedResponse:
            "Segmind's answer could not be read; check Segmind's status page and drop the job again."
        case .outcomeUnknown:
            "The submit may have reached Segmind and been billed, but its answer was lost: check Segmind's request history before dropping it again."
        case .network(.timedOut):
            "The request timed out; check the network and the timeouts in [api]."
        case .network:
            "Segmind could not be reached; check the network, DNS and any proxy settings."
        case .downloadFailed:
            "The generated image could not be downloaded; outputs stay available for 7 days, so the job can be retried."
        case .outputNotSaved(let path, _):
            "The folder \(PathNames.parent(path)) cannot take files (full, read-only or not permitted); free or fix it: the output stays on Segmind for days."
        case .deadlineExceeded:
            "The generation took longer than the job's deadline; it may still finish on Segmind, so check its request history."
        case .cancelled:
            "The job was stopped before it finished; it resumes when facedrop runs again."
        }
    }

    /// The request id, for failures tied to one.
    public var requestID: String? {
        switch self {
        case .requestExpired(let id, _), .generationFailed(let id, _), .deadlineExceeded(let id, _): id
        default: nil
        }
    }

    public var description: String {
        let status = httpStatus.map { " (HTTP \($0))" } ?? ""
        switch self {
        case .modelNotFound(let model, _), .modelRetired(let model, _):
            return "\(code)\(status) for model \(model)" + (segmindMessage.map { ": \($0)" } ?? "")
        case .outcomeUnknown(let model, let detail):
            return "outcome_unknown for a \(model) submit: \(detail)"
        case .malformedResponse(_, let detail):
            return "malformed_response\(status): \(detail)"
        case .network(let error):
            return "\(code): \(error)"
        case .downloadFailed(let url, let detail):
            return "download_failed for \(url): \(detail)"
        case .outputNotSaved(let path, let detail):
            return "write_failed: could not write \(path): \(detail)"
        case .deadlineExceeded(let id, let waited):
            return "timeout: request \(id) did not finish within \(waited) s"
        case .rateLimited(let retryAt, _):
            let when = retryAt.map { "; retry at \($0.formatted(.iso8601))" } ?? ""
            return "rate_limited (HTTP 429)\(when)" + (segmindMessage.map { ": \($0)" } ?? "")
        default:
            let id = requestID.map { " for request \($0)" } ?? ""
            return "\(code)\(status)\(id)" + (segmindMessage.map { ": \($0)" } ?? "")
        }
    }
}
