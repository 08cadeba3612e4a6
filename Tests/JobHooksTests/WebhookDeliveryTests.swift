import Clocks
import CurlHTTP
import DaemonConfiguration
import FacedropTestSupport
import Hashing
import JobHooks
import Synchronization
import Testing

@Suite("Webhook delivery")
struct WebhookDeliveryTests {
    /// Answers the attempts in turn and records when each came, on the test clock.
    final class Receiver: Sendable {
        let answers: Mutex<[WebhookDelivery.Answer]>
        let times = Mutex<[Duration]>([])
        /// Set once the delivery under test has returned.
        let finished = Atomic<Bool>(false)
        let clock: TestClock<Duration>
        let start: TestClock<Duration>.Instant

        init(_ answers: [WebhookDelivery.Answer], clock: TestClock<Duration>) {
            self.answers = Mutex(answers)
            self.clock = clock
            self.start = clock.now
        }

        func answer(_ request: HTTPRequest) -> WebhookDelivery.Answer {
            times.withLock { $0.append(start.duration(to: clock.now)) }
            return answers.withLock { $0.isEmpty ? .status(200) : $0.removeFirst() }
        }
    }

    /// Runs a delivery against `answers`, moving the test clock by each wait the retry settings give once the
    /// delivery sleeps (never before: a move ahead of the sleep would wake nothing), until the delivery ends.
    private func deliver(
        _ answers: [WebhookDelivery.Answer],
        retry: WebhookRetry = WebhookRetry()
    ) async -> (WebhookDelivery.Outcome, [Duration]) {
        let clock = TestClock()
        let receiver = Receiver(answers, clock: clock)
        let delivery = WebhookDelivery(url: "http://127.0.0.1:9/hook", retry: retry, clock: clock) { receiver.answer($0) }
        let task = Task {
            let outcome = await delivery.deliver(delivery.request(body: [], event: "done", job: "j", inbox: "i", deliveryID: 1, secret: nil))
            receiver.finished.store(true, ordering: .sequentiallyConsistent)
            return outcome
        }
        var waits = 0
        let readyToMove = {
            if receiver.finished.load(ordering: .sequentiallyConsistent) { return true }
            return await clock.hasSleepers
        }
        while await eventually(every: .milliseconds(1), readyToMove), !receiver.finished.load(ordering: .sequentiallyConsistent) {
            waits += 1
            await clock.advance(by: retry.delay(after: waits))
        }
        let outcome = await task.value
        return (outcome, receiver.times.withLock { $0 })
    }

    @Test("errors and non-2xx answers are retried 5 s, 10 s, 20 s apart until a 2xx")
    func retriesUntilAccepted() async {
        let (outcome, times) = await deliver([.status(500), .failed("connection refused"), .status(404)])
        #expect(outcome == .delivered(status: 200, attempts: 4))
        #expect(times == [.zero, .seconds(5), .seconds(15), .seconds(35)])
    }

    @Test("it gives up after the last attempt, naming what that attempt got")
    func givesUpAfterAttempts() async {
        let (outcome, times) = await deliver(Array(repeating: .status(503), count: 10), retry: WebhookRetry(attempts: 3))
        #expect(outcome == .gaveUp(reason: "HTTP 503", attempts: 3))
        #expect(times == [.zero, .seconds(5), .seconds(15)])
    }

    @Test("it gives up when the next wait would pass the time limit")
    func givesUpAfterTime() async {
        let retry = WebhookRetry(initial: .seconds(5), maximum: .seconds(600), attempts: 200, giveUpAfter: .seconds(30))
        let (outcome, times) = await deliver(Array(repeating: .failed("timed out"), count: 10), retry: retry)
        #expect(outcome == .gaveUp(reason: "timed out", attempts: 3))
        #expect(times == [.zero, .seconds(5), .seconds(15)])
    }

    @Test("an attempt cut short by cancellation ends as interrupted, never as given up")
    func cancelledAttempt() async {
        let clock = TestClock()
        let delivery = WebhookDelivery(url: "http://127.0.0.1:9/hook", retry: WebhookRetry(attempts: 1), clock: clock) { _ in
            do {
                try await clock.sleep(for: .seconds(3600))
                return .status(200)
            } catch {
                return .failed("cancelled")
            }
        }
        let task = Task { await delivery.deliver(delivery.request(body: [], event: "done", job: "j", inbox: "i", deliveryID: 1, secret: nil)) }
        await clock.advance(by: .seconds(1))
        task.cancel()
        #expect(await task.value == .interrupted)
    }

    @Test("the request carries the event, the job (encoded) and the body's HMAC-SHA256")
    func request() {
        let delivery = WebhookDelivery(url: "https://hooks.example.com/x", retry: WebhookRetry(), clock: TestClock()) { _ in .status(200) }
        let body = Array(#"{"status":"done"}"#.utf8)
        let request = delivery.request(body: body, event: "failed", job: "a\nb%", inbox: "art", deliveryID: 42, secret: Array("s3cret".utf8))
        #expect(request.method == .post)
        #expect(request.body == body)
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.headers["X-Facedrop-Event"] == "job.failed")
        #expect(request.headers["X-Facedrop-Job"] == "a%0Ab%25")
        #expect(request.headers["X-Facedrop-Delivery"] == "42")
        let expected = "sha256=" + HMACSHA256.authenticationCode(for: body, key: Array("s3cret".utf8)).hex
        #expect(request.headers["X-Facedrop-Signature"] == expected)
        // The value `printf '{"status":"done"}' | openssl dgst -sha256 -hmac s3cret` prints.
        #expect(expected == "sha256=a24759d2f8653c960bc52c8231f77fe2a7d743cfe01f57d7ba4988f851919817")
    }
}
