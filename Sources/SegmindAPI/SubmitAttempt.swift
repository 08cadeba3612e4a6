/// How one `POST /v2/{model}` ended, sorted by the only question that matters for a paid request:
/// could Segmind have accepted (and billed) it?
///
/// ``SegmindClient/sendSubmit(model:body:)`` makes exactly one attempt and returns one of these, so a
/// caller that journals its intent before each attempt can put a job back in its queue when the
/// attempt provably cost nothing, and knows exactly which jobs may have been billed.
public enum SubmitAttempt: Sendable {
    /// Segmind accepted the request: it is billed and has a request ID.
    case accepted(SubmittedRequest)
    /// Nothing was billed and trying again is worth it: the request never left (DNS, connect
    /// failure), or Segmind answered 429 or 5xx.
    case retryable(SegmindError)
    /// Segmind refused the request (400, 401, 403, 404, 406, 410, …): nothing was billed and the
    /// same request would be refused again.
    case refused(SegmindError)
    /// The request may have reached Segmind and been billed, but its answer was lost or unreadable.
    /// It must never be sent again on its own: Segmind has no idempotency key.
    case outcomeUnknown(SegmindError)
}
