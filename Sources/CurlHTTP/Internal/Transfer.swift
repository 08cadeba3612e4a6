import Synchronization

/// What a finished transfer hands back to the waiting task.
struct TransferOutcome: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    var receivedBytes: Int
}

/// One request in flight: its easy handle, its response sink and the task waiting for it.
///
/// Created by the calling task, then handed to the transfer thread, which alone touches `easy` and
/// `sink` from then on; `phase` is the only state both sides read, and it sits in a `Mutex`.
final class Transfer: @unchecked Sendable {
    enum Phase {
        case created
        case running
        case cancelled
        case finished
    }

    let easy: CurlEasy
    let sink: ResponseSink
    private let phase = Mutex<Phase>(.created)
    private let continuation = Mutex<CheckedContinuation<Result<TransferOutcome, HTTPClientError>, Never>?>(nil)

    init(easy: CurlEasy, sink: ResponseSink) {
        self.easy = easy
        self.sink = sink
    }

    /// Binds the waiting task. Returns false when the task was cancelled before it started, in which
    /// case the continuation has already been resumed.
    func bind(_ waiting: CheckedContinuation<Result<TransferOutcome, HTTPClientError>, Never>) -> Bool {
        let cancelledEarly = phase.withLock { phase -> Bool in
            if phase == .cancelled { return true }
            phase = .running
            return false
        }
        if cancelledEarly {
            waiting.resume(returning: .failure(.cancelled))
            return false
        }
        continuation.withLock { $0 = waiting }
        return true
    }

    /// Whether the waiting task gave up; such a transfer is never started.
    var isCancelled: Bool {
        phase.withLock { $0 == .cancelled }
    }

    /// Marks the transfer cancelled. Returns true when the transfer thread must stop a running transfer.
    func markCancelled() -> Bool {
        phase.withLock { phase in
            switch phase {
            case .created:
                phase = .cancelled
                return false
            case .running:
                phase = .cancelled
                return true
            case .cancelled, .finished:
                return false
            }
        }
    }

    /// Resumes the waiting task once; later calls do nothing.
    func finish(_ result: Result<TransferOutcome, HTTPClientError>) {
        phase.withLock { $0 = .finished }
        let waiting = continuation.withLock { value in
            defer { value = nil }
            return value
        }
        waiting?.resume(returning: result)
    }

    /// Turns libcurl's verdict on the transfer into an outcome or an error.
    func outcome(for completion: CurlCompletion) -> Result<TransferOutcome, HTTPClientError> {
        easy.verdict(on: completion, sink: sink).map { info in
            TransferOutcome(
                status: info.responseCode,
                headers: HTTPHeaders(sink.headers.map { HTTPHeaders.Field(name: $0.0, value: $0.1) }),
                body: sink.body,
                receivedBytes: sink.receivedBytes
            )
        }
    }
}
