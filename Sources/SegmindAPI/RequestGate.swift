/// Admits every request to Segmind's API (submit, status, result, credits, upload) before it is sent, so one
/// requests-per-minute budget can be shared by every job of a daemon.
///
/// Segmind limits requests per minute per account (5 on Free, 50 on Pro) and polls are assumed to
/// count. A client that only backs off after a 429 lets a busy daemon run into the limit again and
/// again; a gate makes every job ask first. ``SegmindClient`` calls ``admit()`` before each attempt of
/// an API request, a retry included, and ``rateLimited(until:)`` whenever Segmind answers 429.
/// Output downloads (CDN URLs, no key) are not Segmind API requests and are never gated.
///
/// Set it on ``SegmindConfiguration/gate``; `nil` sends without asking.
public protocol RequestGate: Sendable {
    /// Waits until one more request may be sent; throws CancellationError if the task is cancelled while waiting.
    func admit() async throws(CancellationError)
    /// ``admit()`` for a request of `kind`: a gate may let reads about work already paid for (a status poll, a
    /// result) go before a submit that starts new work. By default the same as ``admit()``.
    func admit(_ kind: RequestKind) async throws(CancellationError)
    /// Segmind answered 429: nothing may be sent before `until`.
    func rateLimited(until: ContinuousClock.Instant) async
}

extension RequestGate {
    public func admit(_ kind: RequestKind) async throws(CancellationError) {
        try await admit()
    }
}

/// What a request to Segmind's API is for, as a ``RequestGate`` may order the requests waiting for it.
public enum RequestKind: Sendable, Hashable {
    /// `POST /v2/{model}`: starts (and pays for) a generation.
    case submit
    /// A status poll, a result or the credits: a read, about work already paid for.
    case read
}
