public import Foundation
public import Logging
public import SegmindCatalog

/// A local stand-in for Segmind's v2 asynchronous API, served over HTTP on the loopback interface.
///
/// It speaks the protocol the client and Segmind's own Python SDK expect (submit, status, result,
/// credits, uploads, output files) with Segmind's status codes and bodies, bills a balance, enforces
/// a requests-per-minute limit, runs every job along a time-scaled timeline, forgets records after
/// their time to live, renders real, traceable output images, records every request in a
/// ``Ledger`` and shows injected ``EmulatorFault``s on demand.
///
/// ```swift
/// let server = EmulatorServer(configuration: .init(timeScale: 0.01), catalog: try .bundled())
/// let base = try await server.start()      // http://127.0.0.1:<port>
/// await server.inject(EmulatorFault(endpoint: .submit, kind: .status(503)))
/// ```
///
/// Besides Segmind's endpoints it serves a small control API under `/_emulator/` for tests that
/// drive it from another process; see `EmulatorServer+Control.swift`.
public actor EmulatorServer {
    let configuration: EmulatorConfiguration
    let catalog: ModelCatalog
    let logger: Logger

    var credits: Double
    var freeCredits: Double
    var records: [String: JobRecord] = [:]
    /// Jobs that will end FAILED and are not refunded yet: what ``settle(at:)`` looks at on every request.
    var pendingRefunds: Set<String> = []
    /// The earliest moment a record passes its output retention; nil while there are no records.
    var nextForgetting: Date?
    /// Uploaded assets by file name (`<id>.<ext>`).
    var assets: [String: Asset] = [:]
    var faults: [EmulatorFault] = []
    var entries: [Ledger.Entry] = []
    /// Told of every request once it is handled and before it is answered (see ``observeRequests(_:)``).
    var requestObserver: (@Sendable (Ledger.Entry) -> Void)?
    var rateWindow = RateWindow()
    var listener: HTTPListener?
    /// The base URL as a string without a trailing slash, e.g. `http://127.0.0.1:41234`.
    var base = ""

    /// An uploaded file.
    struct Asset: Sendable {
        var bytes: [UInt8]
        var contentType: String
    }

    /// Creates a stopped emulator; call ``start()`` or ``run()``.
    public init(
        configuration: EmulatorConfiguration = .init(),
        catalog: ModelCatalog,
        logger: Logger = Logger(label: "segmind-emulator")
    ) {
        self.configuration = configuration
        self.catalog = catalog
        self.logger = logger
        self.credits = configuration.credits
        self.freeCredits = configuration.freeCredits
    }

    /// The address clients use, e.g. `http://127.0.0.1:41234`; `nil` until started.
    public var baseURL: URL? {
        listener == nil ? nil : URL(string: base)
    }

    /// Binds the configured address and starts serving in the background.
    ///
    /// - Returns: The base URL, with the real port when the configuration asked for port 0.
    @discardableResult
    public func start() async throws -> URL {
        if let url = baseURL { return url }
        let listener = try await HTTPListener.start(
            host: configuration.host,
            port: configuration.port,
            handlerTimeout: configuration.handlerTimeout
        ) { [weak self] request in
            guard let self else { return .dropped }
            return await self.handle(request)
        }
        self.listener = listener
        base = "http://\(configuration.host):\(listener.port)"
        logger.info("segmind emulator listening", metadata: ["base_url": "\(base)"])
        guard let url = URL(string: base) else { throw EmulatorError.invalidAddress(base) }
        return url
    }

    /// Starts serving and returns only when the surrounding task is cancelled, then stops.
    public func run() async throws {
        try await start()
        guard let listener else { return }
        await withTaskCancellationHandler {
            await listener.waitUntilFinished()
        } onCancel: {
            listener.cancel()
        }
        await stop()
    }

    /// Stops serving and closes the listening socket. Records and the ledger are kept.
    public func stop() async {
        guard let listener else { return }
        self.listener = nil
        await listener.stop()
        logger.info("segmind emulator stopped")
    }

    /// Makes the next matching requests misbehave; see ``EmulatorFault``.
    /// Calls `observer` with the ledger entry of every Segmind request once it is handled (a submit billed, a
    /// poll answered) and *before* the answer is sent; nil stops it. In-process tests use it to act at that exact
    /// moment, for instance to kill the client while its request is at the server and its answer not yet back.
    public func observeRequests(_ observer: (@Sendable (Ledger.Entry) -> Void)?) {
        requestObserver = observer
    }

    public func inject(_ fault: EmulatorFault) {
        guard fault.count > 0 else { return }
        faults.append(fault)
    }

    /// The faults injected and not yet used up.
    public func pendingFaults() -> [EmulatorFault] {
        faults
    }

    /// Removes every pending fault.
    public func clearFaults() {
        faults.removeAll()
    }

    /// Sets the paid balance and, when given, the free balance.
    public func setCredits(_ credits: Double, free: Double? = nil) {
        self.credits = credits
        if let free { freeCredits = free }
    }

    /// The paid and free balances, after refunding the jobs that have failed by now.
    public func balance() -> (credits: Double, free: Double) {
        settle(at: Date())
        return (credits, freeCredits)
    }

    /// Every request answered so far.
    public func ledger() -> Ledger {
        Ledger(entries: entries)
    }

    /// Forgets the ledger.
    public func resetLedger() {
        entries.removeAll()
    }

    /// Puts the emulator back in its configured state for the next test: the ledger, the pending
    /// faults and the rate-limit window are cleared and the balances restored. Records and
    /// assets stay, so requests in flight can still be polled.
    public func reset() {
        entries.removeAll()
        faults.removeAll()
        rateWindow.reset()
        credits = configuration.credits
        freeCredits = configuration.freeCredits
    }
}
