import Dispatch
import Glibc

/// Turns SIGTERM, SIGINT and SIGHUP into an async stream, read on a dispatch queue instead of in a handler.
///
/// The signals are ignored for their default action first, so a SIGTERM never kills the process
/// before the daemon has saved its state.
final class SignalListener {
    let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }
}
