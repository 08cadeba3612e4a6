import DedicatedThreads
import Foundation
import Synchronization

/// The single thread that owns the libcurl multi handle and drives every transfer.
///
/// Tasks never block: they hand a ``Transfer`` over through a `Mutex`-guarded queue and wake the thread
/// with `curl_multi_wakeup`. The thread sleeps in `curl_multi_poll`, which returns when a socket is
/// ready, a libcurl timer is due, or a wake-up arrives, so an idle client costs no CPU.
final class CurlMultiLoop: @unchecked Sendable {
    // `multi` is used only on the transfer thread, except `wakeup()`, which libcurl allows from any thread.
    private let multi: CurlMulti
    private let queue = Mutex<Queue>(Queue())

    private struct Queue {
        var toStart: [Transfer] = []
        var toCancel: [Transfer] = []
        var stopping = false
    }

    init?(settings: HTTPClientConfiguration) {
        guard
            let multi = CurlMulti(
                maxTotalConnections: settings.maxConnections,
                maxHostConnections: settings.maxConnectionsPerHost
            )
        else { return nil }
        self.multi = multi
        DedicatedThread.start(name: "facedrop-curl") { [self] in self.run() }
    }

    /// Queues a bound transfer and wakes the thread. Returns false when the loop has stopped.
    func start(_ transfer: Transfer) -> Bool {
        let accepted = queue.withLock { queue -> Bool in
            guard !queue.stopping else { return false }
            queue.toStart.append(transfer)
            return true
        }
        if accepted { multi.wakeup() }
        return accepted
    }

    /// Asks the thread to abort a running transfer.
    func cancel(_ transfer: Transfer) {
        queue.withLock { $0.toCancel.append(transfer) }
        multi.wakeup()
    }

    /// Fails every transfer with ``HTTPClientError/shutDown`` and ends the thread.
    func stop() {
        queue.withLock { $0.stopping = true }
        multi.wakeup()
    }

    private func run() {
        var active: [Int: Transfer] = [:]
        while true {
            let (toStart, toCancel, stopping) = queue.withLock { queue in
                defer {
                    queue.toStart.removeAll()
                    queue.toCancel.removeAll()
                }
                return (queue.toStart, queue.toCancel, queue.stopping)
            }
            for transfer in toStart {
                // A cancellation that arrived before the transfer reached this thread.
                if transfer.isCancelled {
                    transfer.finish(.failure(.cancelled))
                    continue
                }
                if let refusal = multi.add(transfer.easy) {
                    transfer.finish(.failure(refusal))
                } else {
                    active[transfer.easy.identifier] = transfer
                }
            }
            for transfer in toCancel where active.removeValue(forKey: transfer.easy.identifier) != nil {
                multi.remove(transfer.easy)
                transfer.finish(.failure(.cancelled))
            }
            if stopping {
                // A transfer cut off mid-way may have reached the server.
                for transfer in active.values {
                    multi.remove(transfer.easy)
                    transfer.finish(.failure(.connectionLost(requestSent: true, detail: "the HTTP client shut down during the transfer")))
                }
                // Anything queued after the flag was read is failed too.
                let late = queue.withLock { queue in
                    defer { queue.toStart.removeAll() }
                    return queue.toStart
                }
                for transfer in late { transfer.finish(.failure(.shutDown)) }
                return
            }
            _ = multi.perform()
            while let completion = multi.nextCompletion() {
                guard let transfer = active.removeValue(forKey: completion.easyIdentifier) else { continue }
                multi.remove(transfer.easy)
                transfer.finish(transfer.outcome(for: completion))
            }
            // libcurl shortens the wait to its own next timer; the long ceiling (an hour) keeps an idle
            // client asleep: new transfers and shutdown wake it with `curl_multi_wakeup`.
            multi.poll(timeoutMilliseconds: active.isEmpty ? 3_600_000 : 1_000)
        }
    }
}
