import ArgumentParser
import DedicatedThreads
import Dispatch
import Foundation

/// The process's entry point: the command line runs on facedrop's own threads from its first line.
///
/// An `async` entry point would start on the runtime's global executor, libdispatch's pool on Linux, and the
/// first job that pool runs starts its monitor, a timer that wakes the process every second for as long as it
/// lives. So the entry is synchronous: it hands the command to a ``ThreadPoolExecutor`` whose threads sleep
/// while there is nothing to do, preferred by every task the command starts (``ExecutorPreference``), and
/// waits for it. Nothing in
/// facedrop runs on the main actor, which this blocked main thread no longer serves.
@main
enum Main {
    static func main() {
        let executor = ThreadPoolExecutor(width: max(2, ProcessInfo.processInfo.activeProcessorCount))
        ExecutorPreference.preferEverywhere(executor)
        let finished = DispatchSemaphore(value: 0)
        Task(executorPreference: executor) {
            await Facedrop.main()
            finished.signal()
        }
        finished.wait()
    }
}
