import FacedropTestSupport
import Testing

@testable import SystemdService

@Suite("ServiceNotifier: sd_notify over a real datagram socket")
struct ServiceNotifierTests {
    @Test("fields go out as one datagram of KEY=VALUE lines")
    func sendsOneDatagram() async throws {
        let receiver = try NotifyReceiver()
        defer { receiver.stop() }
        let notifier = ServiceNotifier(environment: ["NOTIFY_SOCKET": receiver.path])
        #expect(notifier.isEnabled)
        #expect(notifier.send(.ready, .status("Watching 2 inboxes")))
        #expect(notifier.send(.watchdog))
        #expect(notifier.send(.stopping))
        #expect(await eventually { receiver.messages.count == 3 })
        #expect(receiver.messages.map(\.fields) == [["READY=1", "STATUS=Watching 2 inboxes"], ["WATCHDOG=1"], ["STOPPING=1"]])
    }

    @Test("an abstract socket name (@name) is reached with a leading NUL")
    func abstractSocket() throws {
        // Nothing listens: the send fails, but the address must be accepted, not mistaken for a path.
        let notifier = ServiceNotifier(environment: ["NOTIFY_SOCKET": "@facedrop-test-nobody-listens"])
        #expect(notifier.isEnabled)
        #expect(!notifier.send(.ready))
    }

    @Test("without NOTIFY_SOCKET, or with a relative one, nothing is sent")
    func disabled() {
        #expect(!ServiceNotifier(environment: [:]).isEnabled)
        #expect(!ServiceNotifier(environment: ["NOTIFY_SOCKET": "relative/path"]).isEnabled)
        #expect(!ServiceNotifier.disabled.send(.ready))
    }

    @Test("a STATUS text with a newline stays one field")
    func statusIsOneLine() {
        #expect(ServiceState.status("a\nb\u{1}c").line == "STATUS=a b c")
        #expect(ServiceState.extendTimeout(.seconds(90)).line == "EXTEND_TIMEOUT_USEC=90000000")
        #expect(ServiceState.reloading.line == "RELOADING=1")
    }

    @Test("the watchdog interval is half of WATCHDOG_USEC, and only for the process WATCHDOG_PID names")
    func watchdogInterval() {
        #expect(ServiceNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "2000000"], pid: 42) == .seconds(1))
        #expect(ServiceNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "42"], pid: 42) == .seconds(1))
        #expect(ServiceNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "41"], pid: 42) == nil)
        #expect(ServiceNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "0"], pid: 42) == nil)
        #expect(ServiceNotifier.watchdogInterval(environment: [:], pid: 42) == nil)
    }
}
