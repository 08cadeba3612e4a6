package import CurlHTTP
package import DaemonConfiguration
import Foundation
import Hashing

/// One webhook: the job's record POSTed to `webhook_url`, signed when a secret is set, and retried with backoff
/// until a 2xx answer, the last attempt, or the time limit.
///
/// The waits between attempts run on the injected clock, so tests walk the whole schedule without waiting.
package struct WebhookDelivery: Sendable {
    /// What one attempt got: Segmind-style status, or a network error's text.
    package enum Answer: Sendable, Equatable {
        case status(Int)
        case failed(String)
    }

    /// How the delivery ended.
    package enum Outcome: Sendable, Equatable {
        /// A 2xx answer, after `attempts` attempts in all.
        case delivered(status: Int, attempts: Int)
        /// The last attempt failed, or the time limit was reached; `reason` says what the last attempt got.
        case gaveUp(reason: String, attempts: Int)
        /// The task was cancelled (the daemon stopping): the delivery resumes at the next start.
        case interrupted
    }

    package typealias Send = @Sendable (HTTPRequest) async -> Answer

    /// Each attempt's timeouts: a receiver that takes longer is retried.
    package static let connectTimeout: Duration = .seconds(10)
    package static let requestTimeout: Duration = .seconds(30)

    package var url: String
    package var retry: WebhookRetry
    package var send: Send
    /// The injected clock, as the time since this delivery was set up and a sleep.
    private let elapsed: @Sendable () -> Duration
    private let sleep: @Sendable (Duration) async throws -> Void

    package init<C: Clock<Duration>>(url: String, retry: WebhookRetry, clock: C, send: @escaping Send) {
        self.url = url
        self.retry = retry
        self.send = send
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
        sleep = { try await clock.sleep(for: $0) }
    }

    /// Sends through `http`: a 2xx is success, any other answer or a transport error is an attempt to retry.
    package static func sender(_ http: HTTPClient) -> Send {
        { request in
            do {
                return .status(try await http.execute(request).status)
            } catch {
                return .failed("\(error)")
            }
        }
    }

    /// The request for `body`: `X-Facedrop-Event: job.done` or `job.failed`, the job, inbox and delivery ID (the
    /// same for every retry of one hook, so a receiver can drop a repeat), and the signature when `secret` is set.
    package func request(body: [UInt8], event: String, job: String, inbox: String, deliveryID: Int64, secret: [UInt8]?) -> HTTPRequest {
        var headers: HTTPHeaders = [
            "Content-Type": "application/json",
            "User-Agent": "facedrop",
            "X-Facedrop-Event": "job.\(event)",
            "X-Facedrop-Job": Self.headerValue(job),
            "X-Facedrop-Inbox": Self.headerValue(inbox),
            "X-Facedrop-Delivery": "\(deliveryID)",
        ]
        if let secret {
            headers.add(name: "X-Facedrop-Signature", value: Self.signature(body: body, secret: secret))
        }
        return HTTPRequest(
            method: .post,
            url: url,
            headers: headers,
            body: body,
            connectTimeout: Self.connectTimeout,
            timeout: Self.requestTimeout,
            maxResponseBytes: 65_536
        )
    }

    /// `sha256=<hex HMAC-SHA256 of the body>`, as GitHub signs its webhooks.
    package static func signature(body: [UInt8], secret: [UInt8]) -> String {
        "sha256=" + HMACSHA256.authenticationCode(for: body, key: secret).hex
    }

    /// Sends `request` until it succeeds or the retry settings give up. `attemptsBefore` and `elapsedBefore` are what
    /// earlier runs (before a restart) spent; `beforeAttempt` records each attempt before it is made.
    package func deliver(
        _ request: HTTPRequest,
        attemptsBefore: Int = 0,
        elapsedBefore: Duration = .zero,
        beforeAttempt: @Sendable () async -> Void = {},
        afterFailure: @Sendable (_ reason: String, _ retryIn: Duration) -> Void = { _, _ in }
    ) async -> Outcome {
        let start = elapsed()
        var attempts = attemptsBefore
        var reason = "the attempts or the time ran out before this start"
        while true {
            let spent = elapsedBefore + elapsed() - start
            if attempts >= retry.attempts || spent >= retry.giveUpAfter {
                return .gaveUp(reason: reason, attempts: attempts)
            }
            await beforeAttempt()
            attempts += 1
            let answer = await send(request)
            if case .status(let status) = answer, (200..<300).contains(status) {
                return .delivered(status: status, attempts: attempts)
            }
            // An attempt cut short by the daemon stopping is no answer: the delivery goes on at the next start.
            if Task.isCancelled { return .interrupted }
            switch answer {
            case .status(let status):
                reason = "HTTP \(status)"
            case .failed(let error):
                reason = error
            }
            let delay = retry.delay(after: attempts)
            if attempts >= retry.attempts || elapsedBefore + elapsed() - start + delay > retry.giveUpAfter {
                return .gaveUp(reason: reason, attempts: attempts)
            }
            afterFailure(reason, delay)
            do {
                try await sleep(delay)
            } catch {
                return .interrupted
            }
        }
    }

    /// A job or inbox name as a header value: printable ASCII stays, every other byte (and `%`) is percent-encoded,
    /// so a name with a newline cannot add a header.
    static func headerValue(_ text: String) -> String {
        var value = ""
        for byte in text.utf8 {
            if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "%") {
                value.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                value += String(format: "%%%02X", byte)
            }
        }
        return value
    }
}
