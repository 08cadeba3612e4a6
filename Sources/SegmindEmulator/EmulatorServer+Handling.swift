import Foundation
import Logging
import SegmindCatalog

extension EmulatorServer {
    /// What the handling of one Segmind request produced, beyond the answer: the facts the
    /// ledger keeps.
    struct Outcome: Sendable {
        var response: EmulatorResponse
        var model: String? = nil
        var requestID: String? = nil
        var billed = false
        var cost = 0.0
        var prompt: String? = nil
    }

    /// Answers one request: control API, injected faults, then Segmind's behaviour.
    func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        let route = Route(method: request.method, path: request.path)
        if case .control(let path) = route {
            return handleControl(path: path, request: request)
        }
        let arrival = Date()
        let fault = takeFault(for: route.endpoint)
        if case .delay(let duration) = fault?.kind {
            try? await Task.sleep(for: duration)
        }

        var outcome: Outcome
        if let fault, !fault.kind.processesRequest {
            outcome = Outcome(response: faultResponse(fault.kind))
        } else {
            settle(at: Date())
            outcome = await process(route, request: request, now: Date())
        }
        if let kind = fault?.kind {
            outcome.response = applyAfterProcessing(kind, to: outcome.response)
        }

        let delivered = outcome.response.delivery == .dropped ? nil : outcome.response.status
        entries.append(
            Ledger.Entry(
                time: arrival,
                method: request.method,
                path: request.path,
                endpoint: route.endpoint,
                model: outcome.model,
                requestID: outcome.requestID,
                status: delivered,
                billed: outcome.billed,
                cost: outcome.cost,
                fault: fault.map { "\($0.kind)" },
                prompt: outcome.prompt
            )
        )
        requestObserver?(entries[entries.count - 1])
        if let fault {
            logger.debug("fault applied", metadata: ["fault": "\(fault.kind)", "path": "\(request.path)"])
        }
        return outcome.response
    }

    private func process(_ route: Route, request: EmulatorRequest, now: Date) async -> Outcome {
        switch route {
        case .submit(let slug): submit(slug: slug, request: request, now: now)
        case .status(let id): await poll(id, endpoint: .status, request: request, now: now)
        case .result(let id): await poll(id, endpoint: .result, request: request, now: now)
        case .credits: userCredits(request: request)
        case .upload: upload(request: request)
        case .generation(let id, let file): Outcome(response: await generation(id, file: file, now: now), requestID: id)
        case .asset(let file): Outcome(response: asset(file))
        case .methodNotAllowed: Outcome(response: .methodNotAllowed)
        case .notFound, .control: Outcome(response: .error(404, "Not Found"))
        }
    }

    /// Takes one use of the first pending fault that applies to `endpoint`.
    private func takeFault(for endpoint: EmulatorEndpoint) -> EmulatorFault? {
        guard let index = faults.firstIndex(where: { $0.endpoint.matches(endpoint) }) else { return nil }
        let fault = faults[index]
        faults[index].count -= 1
        if faults[index].count <= 0 { faults.remove(at: index) }
        return fault
    }

    private func faultResponse(_ kind: EmulatorFault.Kind) -> EmulatorResponse {
        switch kind {
        case .status(let code, let body):
            var headers: [(name: String, value: String)] = []
            if code == 429 {
                headers.append(("x-rate-limit-reset-at-utc", Self.utcTimestamp(Date().addingTimeInterval(60))))
            }
            if let body {
                return EmulatorResponse(
                    status: code,
                    headers: headers,
                    body: Array(body.utf8),
                    contentType: body.hasPrefix("<") ? "text/html" : "application/json"
                )
            }
            return .error(code, "Emulated failure (HTTP \(code))", headers: headers)
        default:
            return .dropped
        }
    }

    private func applyAfterProcessing(_ kind: EmulatorFault.Kind, to response: EmulatorResponse) -> EmulatorResponse {
        var response = response
        switch kind {
        case .dropConnectionAfterBilling:
            return .dropped
        case .truncatedBody:
            response.delivery = .truncated
        case .malformedBody:
            response.status = 200
            let cut = Array(response.body.prefix(max(1, response.body.count / 2)))
            response.body = cut + Array(#"<<not json"#.utf8)
            response.headers = [("Content-Type", "application/json")]
        case .status, .dropConnection, .delay:
            break
        }
        return response
    }

    /// Refunds the jobs that reached FAILED since the last request, and forgets jobs whose output
    /// files are past retention.
    ///
    /// Expired records are kept until then (polls answer 404 for them) because Segmind keeps output
    /// files far longer than request records. Runs on every request, so it looks only at the jobs still
    /// owed a refund, and at all records only once the oldest one is due to be forgotten: a long run of
    /// thousands of jobs costs no pass over all of them per request.
    func settle(at now: Date) {
        for id in pendingRefunds {
            guard let record = records[id] else {
                pendingRefunds.remove(id)
                continue
            }
            let phase = record.phase(at: now, timeToLive: configuration.recordTimeToLive)
            if phase == .failed || phase == .expired {
                credits += record.cost
                records[id]?.refunded = true
                pendingRefunds.remove(id)
            }
        }
        guard let due = nextForgetting, now >= due else { return }
        let forgetAfter = configuration.recordTimeToLive + configuration.outputRetention
        nextForgetting = nil
        for (id, record) in records {
            let forgetAt = record.submittedAt.addingTimeInterval(forgetAfter)
            if now >= forgetAt {
                records[id] = nil
            } else {
                nextForgetting = min(nextForgetting ?? forgetAt, forgetAt)
            }
        }
    }

    /// Checks `x-api-key`, answering Segmind's two 401 bodies.
    func authorize(_ request: EmulatorRequest) -> EmulatorResponse? {
        guard let key = request.header("x-api-key"), !key.isEmpty else {
            return .error(401, "Missing Authorization or x-api-key in header")
        }
        guard configuration.apiKeys.contains(key) else {
            return .error(401, "Unauthorized. API key is invalid or may have expired...")
        }
        return nil
    }

    /// Counts a request against the requests-per-minute limit, answering 429 past it.
    func admitRate(now: Date) -> EmulatorResponse? {
        guard let limit = configuration.requestsPerMinute,
            let reset = rateWindow.admit(at: now, limit: limit)
        else { return nil }
        return .error(
            429,
            "Rate limit exceeded. Try again later.",
            headers: [("x-rate-limit-reset-at-utc", Self.utcTimestamp(reset))]
        )
    }

    /// `2026-11-21T20:10:00Z`, rounded up to the whole second so a client waiting until then is
    /// never early.
    static func utcTimestamp(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.up)).formatted(.iso8601)
    }

    /// The balance a submit is checked against: paid plus free credits.
    var totalBalance: Double { credits + freeCredits }

    /// Spends `amount`, free credits first.
    func charge(_ amount: Double) {
        let fromFree = min(freeCredits, amount)
        freeCredits -= fromFree
        credits -= amount - fromFree
    }
}
